import type { ApiTokenDto, CreatedApiToken, UserDto } from '@miyu/protocol';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string } };

/** Service tokens (issue 11): created by admins for other systems, acting as that admin within service scopes. */
describe('service tokens (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  let second: TestClient;
  let secondUser: UserDto;
  let member: TestClient;

  const withToken = (token: string, path: string) =>
    new TestClient(t.url).request<ErrorBody>('GET', path, undefined, { authorization: `Bearer ${token}` });
  const create = (client: TestClient, body: unknown) =>
    client.request<CreatedApiToken & ErrorBody>('POST', '/api/admin/service-tokens', body);

  beforeAll(async () => {
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    secondUser = await createUser(admin, 'second.admin');
    await admin.request('PATCH', `/api/admin/users/${secondUser.id}`, { role: 'admin' });
    second = new TestClient(t.url);
    await second.login('second.admin', passwordOf('second.admin'));
    await createUser(admin, 'member');
    member = new TestClient(t.url);
    await member.login('member', passwordOf('member'));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('are created by admins with service scopes only, listed apart from personal tokens, shown once', async () => {
    const res = await create(admin, { name: 'Okta provisioning', scopes: ['scim:provision'], expiresInDays: 730 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'service', scopes: ['scim:provision'], name: 'Okta provisioning' });
    expect(res.body.token).toMatch(/^miyu_pat_/);
    const listed = (await admin.request<ApiTokenDto[]>('GET', '/api/admin/service-tokens')).body;
    expect(listed.map((x) => x.id)).toEqual([res.body.id]);
    expect(JSON.stringify(listed)).not.toContain(res.body.token);
    expect((await admin.request<ApiTokenDto[]>('GET', '/api/tokens')).body).toEqual([]);

    for (const [body, code] of [
      [{ name: 'x', scopes: ['compliance:export'], expiresInDays: 7 }, 'VALIDATION_FAILED'],
      [{ name: 'x', scopes: ['bot:post'], expiresInDays: 731 }, 'VALIDATION_FAILED'],
      [{ name: '', scopes: ['bot:post'], expiresInDays: 7 }, 'VALIDATION_FAILED'],
    ] as const) {
      expect((await create(admin, body)).body.error.code).toBe(code);
    }
    const refused = await create(member, { name: 'x', scopes: ['directory:read'], expiresInDays: 7 });
    expect(refused.status).toBe(403);
    // A personal token cannot carry a service scope.
    const personal = await member.request<ErrorBody>('POST', '/api/tokens', {
      name: 'x',
      scopes: ['scim:provision'],
      expiresInDays: 7,
    });
    expect(personal.body.error.code).toBe('API_TOKEN_SCOPE_FORBIDDEN');
  });

  it('work where their scope is named, and stop when their admin is no longer one or they are revoked', async () => {
    const res = await create(second, { name: 'SIEM', scopes: ['audit:read'], expiresInDays: 30 });
    expect(res.status).toBe(201);
    expect((await withToken(res.body.token, '/api/audit/checkpoint')).status).toBe(200);
    expect((await withToken(res.body.token, '/api/compliance/export/conversations')).status).toBe(403);
    expect((await withToken(res.body.token, '/api/directory/search?q=admin')).status).toBe(403);
    const reader = await create(admin, { name: 'HR portal', scopes: ['directory:read'], expiresInDays: 30 });
    expect((await withToken(reader.body.token, '/api/directory/search?q=admin')).status).toBe(200);
    expect((await withToken(reader.body.token, '/api/audit/checkpoint')).status).toBe(403);

    await admin.request('PATCH', `/api/admin/users/${secondUser.id}`, { role: 'member' });
    const demoted = await withToken(res.body.token, '/api/audit/checkpoint');
    expect([demoted.status, demoted.body.error.code]).toEqual([403, 'API_TOKEN_SCOPE_FORBIDDEN']);
    await admin.request('PATCH', `/api/admin/users/${secondUser.id}`, { role: 'admin' });
    expect((await withToken(res.body.token, '/api/audit/checkpoint')).status).toBe(200);

    // Any admin may revoke a service token.
    expect((await admin.request('DELETE', `/api/admin/service-tokens/${res.body.id}`)).status).toBe(204);
    const revoked = await withToken(res.body.token, '/api/audit/checkpoint');
    expect([revoked.status, revoked.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const listed = (await admin.request<ApiTokenDto[]>('GET', '/api/admin/service-tokens')).body;
    expect(listed.find((x) => x.id === res.body.id)?.revokedAt).not.toBeNull();
  });
});
