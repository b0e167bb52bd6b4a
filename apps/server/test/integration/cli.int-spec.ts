import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { TestClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer } from '../support/test-server.js';

const DIST = resolve(__dirname, '../../dist/cli');

function cli(name: 'migrate' | 'admin-create', args: string[], env: Record<string, string>, input = '') {
  const res = spawnSync(process.execPath, [resolve(DIST, `${name}.js`), ...args], {
    env: { PATH: process.env.PATH ?? '', PASSWORD_HASH_MEMORY_MIB: '19', PASSWORD_HASH_ITERATIONS: '1', ...env },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

/** The operator CLIs (built): `npm run migrate` and `npm run admin:create`. */
describe('CLIs', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build first`);
    db = await createTestDatabase('miyu_cli');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('migrate applies the migrations and is a no-op the second time', () => {
    expect(cli('migrate', [], { DATABASE_URL: db.url })).toMatchObject({
      code: 0,
      out: expect.stringContaining('migrations applied'),
    });
    expect(cli('migrate', [], { DATABASE_URL: db.url })).toMatchObject({
      code: 0,
      out: expect.stringContaining('no pending'),
    });
  });

  it('admin:create rejects bad options and weak passwords with usage, and creates an admin who can sign in', async () => {
    const env = { DATABASE_URL: db.url };
    expect(cli('admin-create', ['--bogus', 'x'], env)).toMatchObject({
      code: 2,
      out: expect.stringContaining('Unknown option --bogus'),
    });
    expect(cli('admin-create', ['--login', 'boss'], env, 'short\n')).toMatchObject({
      code: 2,
      out: expect.stringContaining('password'),
    });
    expect(cli('admin-create', ['--login', 'boss', '--display-name', '老板'], env, 'boss-password-1\n')).toMatchObject({
      code: 0,
      out: expect.stringContaining('Admin "boss" created'),
    });
    expect(cli('admin-create', ['--login', 'BOSS'], env, 'boss-password-2\n')).toMatchObject({
      code: 2,
      out: expect.stringContaining('already exists'),
    });
    const t = await startTestServer({}, db);
    try {
      const c = new TestClient(t.url);
      expect((await c.login('boss', 'boss-password-1')).body).toMatchObject({
        user: { role: 'admin', displayName: '老板' },
      });
      expect((await c.request('GET', '/api/setup/status')).body).toEqual({ needsSetup: false });
    } finally {
      await t.close();
    }
  });

  it('refuses a malformed environment with exit code 2', () => {
    expect(cli('migrate', [], { DATABASE_URL: 'not-a-url' })).toMatchObject({
      code: 2,
      out: expect.stringContaining('DATABASE_URL'),
    });
  });
});
