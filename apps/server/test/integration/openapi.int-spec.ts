import { startTestServer, type TestServer } from '../support/test-server.js';

interface OpenApiOperation {
  requestBody?: { content: Record<string, { schema: unknown }> };
}
type OpenApiDoc = { paths: Record<string, Record<string, OpenApiOperation>> };
type ExpressLayer = { route?: { path: string; methods: Record<string, boolean> } };

/** Routes that are not part of the API: the OpenAPI UI itself, and Prometheus metrics (documented in operations.md). */
const NOT_API = [/^\/api\/docs/, /^\/metrics$/];

/**
 * State-changing endpoints that take no JSON body, on purpose (commands on the resource in the path, raw uploads).
 * Anything else that changes state must describe its body with a zod schema from libs/protocol.
 */
const NO_JSON_BODY = new Set([
  'post /api/auth/logout',
  'post /api/auth/sessions/revoke-others',
  'post /api/auth/totp/enroll',
  'post /api/admin/users/{id}/sessions/revoke',
  'post /api/admin/directory/groups/{id}/archive',
  'post /api/audit/settings/purge',
  'post /api/compliance/retention/run',
  'post /api/conversations/{id}/webhooks/{hookId}/rotate-secret',
  'post /api/admin/ldap/preview',
  'post /api/admin/ldap/sync',
]);

/** The OpenAPI document covers every route the server serves, with request bodies from the zod schemas. */
describe('OpenAPI coverage', () => {
  let t: TestServer;
  let doc: OpenApiDoc;
  let routes: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    t = await startTestServer();
    doc = (await (await fetch(`${t.url}/api/docs/openapi.json`)).json()) as OpenApiDoc;
    const express = t.server.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
    routes = express.router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map((method) => ({
          method,
          // Express `:id` → OpenAPI `{id}`; a route also served with a trailing slash is the same operation.
          path: layer.route!.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/(.)\/$/, '$1'),
        })),
      )
      .filter((r) => !NOT_API.some((re) => re.test(r.path)) && r.path !== '*' && !r.path.includes('*'));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists every route', () => {
    expect(routes.length).toBeGreaterThan(100);
    const missing = routes.filter((r) => !doc.paths[r.path]?.[r.method]).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('describes the JSON body of every state-changing route', () => {
    const bodyless = routes
      .filter((r) => ['post', 'put', 'patch'].includes(r.method))
      .filter((r) => !doc.paths[r.path]?.[r.method]?.requestBody)
      .map((r) => `${r.method} ${r.path}`)
      .filter((key) => !NO_JSON_BODY.has(key));
    expect(bodyless).toEqual([]);
  });
});
