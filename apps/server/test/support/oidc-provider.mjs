// A real OpenID provider (`oidc-provider`) for the OIDC integration test, run as a child process because it is an
// ES module with ES-module-only dependencies that Jest's CommonJS runtime cannot load. Configuration comes as JSON in
// OIDC_FIXTURE (clients, accounts); it listens on a free loopback port and prints {"issuer": …} on stdout.
//
// Interaction is headless: GET /interaction/<uid>?account=<id> signs <id> in and grants what was asked for.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const fixture = JSON.parse(process.env.OIDC_FIXTURE ?? '{}');
const accounts = new Map(Object.entries(fixture.accounts ?? {}));

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: fixture.clients ?? [],
  cookies: { keys: ['miyu-test-cookie-key-0123456789'] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'employee', 'offline_access'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    employee: ['employee_number'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const claims = accounts.get(id);
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
});

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (ctx.method !== 'GET' || !match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = String(ctx.query.account ?? '');
  if (!accounts.has(accountId)) {
    ctx.status = 400;
    ctx.body = 'unknown test account';
    return;
  }
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, {
    login: { accountId },
    consent: { grantId },
  });
  ctx.status = 303;
  ctx.redirect(redirectTo);
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
