import { execFile } from 'node:child_process';
import { writeFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Attribute, Change } from 'ldapts';
import type { AuditPage, LdapConfigDto, LdapSyncResult, PutLdapConfigRequest, UserPage } from '@miyu/protocol';
import { LdapScheduler } from '../../src/modules/ldap-sync/ldap-scheduler.js';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { ROOT_DN, ROOT_PW, type Slapd, startSlapd, SUFFIX } from '../support/slapd.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string; message: string; details?: Array<{ path: string }> } };

const run = promisify(execFile);

/** A small org: nested OUs (one without people), six good people with managers, and four bad entries. */
const ORG_LDIF = `
dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example Corp

dn: ou=Engineering,${SUFFIX}
objectClass: organizationalUnit
ou: Engineering

dn: ou=Platform,ou=Engineering,${SUFFIX}
objectClass: organizationalUnit
ou: Platform

dn: ou=Mobile,ou=Engineering,${SUFFIX}
objectClass: organizationalUnit
ou: Mobile

dn: ou=Sales,${SUFFIX}
objectClass: organizationalUnit
ou: Sales

dn: ou=Partners,ou=Sales,${SUFFIX}
objectClass: organizationalUnit
ou: Partners

dn: uid=ada,ou=Engineering,${SUFFIX}
objectClass: inetOrgPerson
uid: ada
cn: Ada Lovelace
sn: Lovelace
title: CTO
mail: ada@example.com
mobile: +86 138 0000 0001
employeeNumber: E001

dn: uid=grace,ou=Platform,ou=Engineering,${SUFFIX}
objectClass: inetOrgPerson
uid: grace
cn: Grace Hopper
sn: Hopper
title: Platform lead
mail: grace@example.com
employeeNumber: E002
manager: uid=ada,ou=Engineering,${SUFFIX}

dn: uid=linus,ou=Platform,ou=Engineering,${SUFFIX}
objectClass: inetOrgPerson
uid: linus
cn: Linus Torvalds
sn: Torvalds
employeeNumber: E003
manager: uid=grace,ou=Platform,ou=Engineering,${SUFFIX}

dn: uid=ken,ou=Mobile,ou=Engineering,${SUFFIX}
objectClass: inetOrgPerson
uid: ken
cn: Ken Thompson
sn: Thompson
employeeNumber: E004
manager: UID=Ada, OU=Engineering, DC=example, DC=com

dn: uid=mary,ou=Sales,${SUFFIX}
objectClass: inetOrgPerson
uid: mary
cn: Mary Barra
sn: Barra
title: Head of sales
employeeNumber: E005

dn: uid=joan,ou=Sales,${SUFFIX}
objectClass: inetOrgPerson
uid: joan
cn: Joan Clarke
sn: Clarke
employeeNumber: E006
manager: uid=mary,ou=Sales,${SUFFIX}

dn: cn=No Login,ou=Sales,${SUFFIX}
objectClass: inetOrgPerson
cn: No Login
sn: Login

dn: uid=tom,ou=Sales,${SUFFIX}
objectClass: inetOrgPerson
uid: tom
cn: Tom Cat
sn: Cat
manager: uid=jerry,ou=Sales,${SUFFIX}

dn: uid=jerry,ou=Sales,${SUFFIX}
objectClass: inetOrgPerson
uid: jerry
cn: Jerry Mouse
sn: Mouse
manager: uid=tom,ou=Sales,${SUFFIX}

dn: uid=olga,ou=Mobile,ou=Engineering,${SUFFIX}
objectClass: inetOrgPerson
uid: olga
cn: Olga Ghost
sn: Ghost
manager: uid=nobody,ou=Engineering,${SUFFIX}
`;

const BAD_ENTRIES = [
  { dn: `cn=No Login,ou=Sales,${SUFFIX}`, reason: 'missing_login' },
  { dn: `uid=jerry,ou=Sales,${SUFFIX}`, reason: 'manager_cycle' },
  { dn: `uid=olga,ou=Mobile,ou=Engineering,${SUFFIX}`, reason: 'unknown_manager' },
  { dn: `uid=tom,ou=Sales,${SUFFIX}`, reason: 'manager_cycle' },
];

const sortErrors = (errors: LdapSyncResult['errors']) =>
  errors.map((e) => ({ dn: e.dn, reason: e.reason })).sort((a, b) => a.dn.localeCompare(b.dn));
const byLogin = <T extends { login: string }>(xs: T[]) => [...xs].sort((a, b) => a.login.localeCompare(b.login));

/**
 * LDAP / Active Directory sync (issue 11) against a real slapd started here and the real server and PostgreSQL: the
 * configuration (password stored, never returned), the dry-run diff, sync, the no-op second sync, updates and
 * disabling from directory changes, bad entries reported and skipped, connection and bind errors, admin only.
 */
describe('LDAP sync (real slapd)', () => {
  let slapd: Slapd;
  let t: TestServer;
  let dataDir: string;
  let admin: TestClient;
  let member: TestClient;
  let config: PutLdapConfigRequest;

  const users = async (q: string) =>
    (await admin.request<UserPage>('GET', `/api/admin/users?q=${encodeURIComponent(q)}&limit=50`)).body.items;
  const user = async (login: string) => (await users(login)).find((u) => u.login === login);
  const preview = async () => admin.request<LdapSyncResult>('POST', '/api/admin/ldap/preview');
  const sync = async () => admin.request<LdapSyncResult>('POST', '/api/admin/ldap/sync');
  /** The audit entries of an action once `count` of them are written (appends are batched off the request path). */
  const auditOf = async (action: string, count: number) => {
    for (;;) {
      const page = (await admin.request<AuditPage>('GET', `/api/audit/entries?action=${action}&limit=100`)).body;
      if (page.items.length >= count) return page;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const card = async (login: string) => {
    const u = await user(login);
    return (
      await admin.request<{
        title: string | null;
        manager: { id: string; displayName: string } | null;
        departments: Array<{ departmentName: string; primary: boolean; title: string | null }>;
      }>('GET', `/api/directory/people/${u!.id}`)
    ).body;
  };

  beforeAll(async () => {
    slapd = await startSlapd();
    const dir = await mkdtemp(join(tmpdir(), 'miyu-ldif-'));
    await writeFile(join(dir, 'org.ldif'), ORG_LDIF);
    await run('ldapadd', ['-x', '-H', slapd.url, '-D', ROOT_DN, '-w', ROOT_PW, '-f', join(dir, 'org.ldif')]);
    await rm(dir, { recursive: true, force: true });
    dataDir = await mkdtemp(join(tmpdir(), 'miyu-ldap-data-'));
    t = await startTestServer({ DATA_DIR: dataDir });
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    await createUser(admin, 'member');
    member = new TestClient(t.url);
    await member.login('member', passwordOf('member'));
    config = {
      enabled: true,
      flavour: 'openldap',
      url: slapd.url,
      tlsVerify: true,
      bindDn: ROOT_DN,
      bindPassword: ROOT_PW,
      baseDns: [SUFFIX],
      departmentSource: 'ou',
      ouFilter: '(objectClass=organizationalUnit)',
      attributes: {},
      intervalMinutes: 0,
    };
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await slapd?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('is for admins only', async () => {
    for (const [method, path] of [
      ['GET', '/api/admin/ldap'],
      ['PUT', '/api/admin/ldap'],
      ['POST', '/api/admin/ldap/preview'],
      ['POST', '/api/admin/ldap/sync'],
    ] as const) {
      const res = await member.request<ErrorBody>(method, path, method === 'PUT' ? config : undefined);
      expect([path, res.status]).toEqual([path, 403]);
    }
  });

  it('refuses to preview or sync before it is configured', async () => {
    const res = await preview();
    expect([res.status, (res.body as unknown as ErrorBody).error.code]).toEqual([409, 'LDAP_NOT_CONFIGURED']);
    expect((await admin.request<LdapConfigDto>('GET', '/api/admin/ldap')).body.configured).toBe(false);
  });

  it('validates the configuration', async () => {
    for (const bad of [
      { ...config, url: 'http://127.0.0.1:389' },
      { ...config, baseDns: [] },
      { ...config, userFilter: 'objectClass=person' },
      { ...config, attributes: { login: 'u id' } },
      { ...config, intervalMinutes: 7 },
    ]) {
      const res = await admin.request<ErrorBody>('PUT', '/api/admin/ldap', bad);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const noPassword = { ...config, bindPassword: undefined };
    const res = await admin.request<ErrorBody>('PUT', '/api/admin/ldap', noPassword);
    expect([res.status, res.body.error.details?.[0]?.path]).toEqual([400, 'bindPassword']);
  });

  it('stores the bind password without ever returning it, with OpenLDAP defaults', async () => {
    const res = await admin.request<LdapConfigDto>('PUT', '/api/admin/ldap', config);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(ROOT_PW);
    expect(res.body).toMatchObject({
      configured: true,
      passwordSet: true,
      userFilter: '(objectClass=inetOrgPerson)',
      attributes: { login: 'uid', displayName: 'cn', externalId: 'entryUUID', manager: 'manager' },
    });
    // Saving again without a password keeps the stored one.
    const again = await admin.request<LdapConfigDto>('PUT', '/api/admin/ldap', { ...config, bindPassword: undefined });
    expect(again.body.passwordSet).toBe(true);
    const got = await admin.request<LdapConfigDto>('GET', '/api/admin/ldap');
    expect(JSON.stringify(got.body)).not.toContain(ROOT_PW);
    // Stored sealed under the server's secret key, never in the clear.
    const [row] = (await t.dataSource.query(`SELECT bind_password_box FROM ldap_config WHERE id = 1`)) as Array<{
      bind_password_box: Buffer;
    }>;
    expect(row!.bind_password_box.length).toBeGreaterThan(ROOT_PW.length);
    expect(row!.bind_password_box.toString('latin1')).not.toContain(ROOT_PW);
    expect((await stat(join(dataDir, 'server-secrets.key'))).mode & 0o077).toBe(0);
    const audit = await auditOf('ldap.config_updated', 2);
    expect(audit.total).toBe(2);
    expect(JSON.stringify(audit.items)).not.toContain(ROOT_PW);
    expect(audit.items.map((i) => i.entry.context?.passwordChanged).sort()).toEqual([false, true]);
  });

  it('previews the exact diff and changes nothing', async () => {
    const res = await preview();
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.dryRun).toBe(true);
    expect(r.entries).toBe(10);
    expect(r.diff.departments.map((d) => d.path).sort()).toEqual([
      'Engineering',
      'Engineering / Mobile',
      'Engineering / Platform',
      'Sales',
      'Sales / Partners',
    ]);
    expect(byLogin(r.diff.create).map((p) => [p.login, p.displayName])).toEqual([
      ['ada', 'Ada Lovelace'],
      ['grace', 'Grace Hopper'],
      ['joan', 'Joan Clarke'],
      ['ken', 'Ken Thompson'],
      ['linus', 'Linus Torvalds'],
      ['mary', 'Mary Barra'],
    ]);
    const grace = r.diff.create.find((p) => p.login === 'grace')!;
    expect(grace.changes).toEqual([
      { field: 'displayName', before: null, after: 'Grace Hopper' },
      { field: 'email', before: null, after: 'grace@example.com' },
      { field: 'employeeNo', before: null, after: 'E002' },
      { field: 'department', before: null, after: 'Engineering / Platform' },
      { field: 'title', before: null, after: 'Platform lead' },
      { field: 'manager', before: null, after: 'ada' },
    ]);
    expect(r.diff.update).toEqual([]);
    expect(r.diff.disable).toEqual([]);
    expect(sortErrors(r.errors)).toEqual(BAD_ENTRIES);
    expect(r.counts).toEqual({ created: 6, updated: 0, disabled: 0, departmentsCreated: 5, skipped: 4 });
    expect(await user('ada')).toBeUndefined();
    const depts = await admin.request<unknown[]>('GET', '/api/directory/departments');
    expect(depts.body).toEqual([]);
  });

  it('syncs: builds the department tree and creates the people with managers, skipping the bad entries', async () => {
    const res = await sync();
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(false);
    expect(res.body.counts).toEqual({ created: 6, updated: 0, disabled: 0, departmentsCreated: 5, skipped: 4 });
    expect(sortErrors(res.body.errors)).toEqual(BAD_ENTRIES);
    const top = (
      await admin.request<Array<{ id: string; name: string; recursiveMemberCount: number }>>(
        'GET',
        '/api/directory/departments',
      )
    ).body;
    expect(top.map((d) => [d.name, d.recursiveMemberCount])).toEqual([
      ['Engineering', 4],
      ['Sales', 2],
    ]);
    const eng = (
      await admin.request<Array<{ name: string }>>('GET', `/api/directory/departments?parentId=${top[0]!.id}`)
    ).body;
    expect(eng.map((d) => d.name).sort()).toEqual(['Mobile', 'Platform']);
    const ada = await user('ada');
    expect(ada).toMatchObject({
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
      employeeNo: 'E001',
      status: 'active',
    });
    expect(ada).toMatchObject({ phone: '+86 138 0000 0001' });
    const grace = await card('grace');
    expect(grace.manager?.displayName).toBe('Ada Lovelace');
    expect(grace.departments).toEqual([
      expect.objectContaining({ departmentName: 'Platform', primary: true, title: 'Platform lead' }),
    ]);
    expect((await card('linus')).manager?.displayName).toBe('Grace Hopper');
    expect((await card('ken')).manager?.displayName).toBe('Ada Lovelace');
    for (const skipped of ['tom', 'jerry', 'olga']) expect(await user(skipped)).toBeUndefined();
    // Created people have no password: they sign in through OIDC or once an admin sets one.
    const anon = new TestClient(t.url);
    expect((await anon.login('ada', '')).status).not.toBe(200);
    const audit = await auditOf('ldap.synced', 1);
    expect(audit.items[0]!.entry.context).toMatchObject({
      created: 6,
      departmentsCreated: 5,
      skipped: 4,
      trigger: 'manual',
    });
    const created = await auditOf('user.created', 8);
    expect(created.items.filter((i) => i.entry.context?.source === 'ldap')).toHaveLength(6);
  });

  it('a second sync changes nothing', async () => {
    const p = (await preview()).body;
    expect(p.diff).toEqual({ create: [], update: [], disable: [], departments: [] });
    const res = await sync();
    expect(res.body.counts).toEqual({ created: 0, updated: 0, disabled: 0, departmentsCreated: 0, skipped: 4 });
    const cfg = (await admin.request<LdapConfigDto>('GET', '/api/admin/ldap')).body;
    expect(cfg.lastSync).toMatchObject({ trigger: 'manual', ok: true, counts: { created: 0 } });
  });

  it('follows changes in the directory: updates, moves, and disables people who left (ending their sessions)', async () => {
    const joan = await user('joan');
    await admin.request('POST', `/api/admin/users/${joan!.id}/password`, { password: passwordOf('joan') });
    const joanHttp = new TestClient(t.url);
    expect((await joanHttp.login('joan', passwordOf('joan'))).status).toBe(200);

    const ldap = await slapd.admin();
    await ldap.modify(`uid=grace,ou=Platform,ou=Engineering,${SUFFIX}`, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['VP Platform'] }) }),
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'mail', values: ['grace@corp.example'] }),
      }),
    ]);
    await ldap.modifyDN(`uid=ken,ou=Mobile,ou=Engineering,${SUFFIX}`, `uid=ken,ou=Platform,ou=Engineering,${SUFFIX}`);
    await ldap.modify(`uid=linus,ou=Platform,ou=Engineering,${SUFFIX}`, [
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'manager', values: [`uid=ada,ou=Engineering,${SUFFIX}`] }),
      }),
    ]);
    await ldap.del(`uid=joan,ou=Sales,${SUFFIX}`);
    await ldap.unbind();

    const p = (await preview()).body;
    expect(byLogin(p.diff.update).map((u) => [u.login, u.changes])).toEqual([
      [
        'grace',
        [
          { field: 'email', before: 'grace@example.com', after: 'grace@corp.example' },
          { field: 'title', before: 'Platform lead', after: 'VP Platform' },
        ],
      ],
      ['ken', [{ field: 'department', before: 'Engineering / Mobile', after: 'Engineering / Platform' }]],
      ['linus', [{ field: 'manager', before: 'grace', after: 'ada' }]],
    ]);
    expect(p.diff.disable.map((d) => [d.login, d.dn])).toEqual([['joan', `uid=joan,ou=Sales,${SUFFIX}`]]);
    expect(p.diff.create).toEqual([]);

    const res = await sync();
    expect(res.body.counts).toMatchObject({ created: 0, updated: 3, disabled: 1 });
    expect(await user('grace')).toMatchObject({ email: 'grace@corp.example' });
    expect((await card('grace')).title).toBe('VP Platform');
    expect((await card('ken')).departments.map((d) => d.departmentName)).toEqual(['Platform']);
    expect((await card('linus')).manager?.displayName).toBe('Ada Lovelace');
    // Disabled, not deleted; the session ended.
    expect(await user('joan')).toMatchObject({ status: 'disabled' });
    expect((await joanHttp.request('GET', '/api/auth/session')).status).toBe(401);
    expect((await preview()).body.diff).toEqual({ create: [], update: [], disable: [], departments: [] });
  });

  it('enables a person the sync disabled when they come back to the directory (matched by login)', async () => {
    const ldap = await slapd.admin();
    await ldap.add(`uid=joan,ou=Partners,ou=Sales,${SUFFIX}`, {
      objectClass: 'inetOrgPerson',
      uid: 'joan',
      cn: 'Joan Clarke',
      sn: 'Clarke',
      employeeNumber: 'E006',
    });
    await ldap.unbind();
    const p = (await preview()).body;
    expect(p.diff.update.map((u) => [u.login, u.changes])).toEqual([
      [
        'joan',
        [
          { field: 'department', before: 'Sales', after: 'Sales / Partners' },
          { field: 'manager', before: 'mary', after: null },
          { field: 'status', before: 'disabled', after: 'active' },
        ],
      ],
    ]);
    expect((await sync()).body.counts).toMatchObject({ created: 0, updated: 1, disabled: 0 });
    expect(await user('joan')).toMatchObject({ status: 'active' });
    expect((await card('joan')).departments.map((d) => d.departmentName)).toEqual(['Partners']);
    expect((await preview()).body.diff.update).toEqual([]);
  });

  it('reports duplicate logins and skips them without changing or disabling anyone', async () => {
    const ldap = await slapd.admin();
    await ldap.add(`uid=ada,ou=Sales,${SUFFIX}`, {
      objectClass: 'inetOrgPerson',
      uid: 'ada',
      cn: 'Another Ada',
      sn: 'Ada',
    });
    await ldap.unbind();
    const res = await sync();
    expect(sortErrors(res.body.errors).filter((e) => e.reason === 'duplicate_login')).toEqual([
      { dn: `uid=ada,ou=Engineering,${SUFFIX}`, reason: 'duplicate_login' },
      { dn: `uid=ada,ou=Sales,${SUFFIX}`, reason: 'duplicate_login' },
    ]);
    expect(res.body.counts).toMatchObject({ created: 0, updated: 0, disabled: 0 });
    expect(await user('ada')).toMatchObject({ displayName: 'Ada Lovelace', status: 'active' });
    const again = await slapd.admin();
    await again.del(`uid=ada,ou=Sales,${SUFFIX}`);
    await again.unbind();
  });

  it('runs on the schedule, one replica at a time', async () => {
    await admin.request('PUT', '/api/admin/ldap', { ...config, bindPassword: undefined, intervalMinutes: 15 });
    const scheduler = t.server.app.get(LdapScheduler);
    const before = (await admin.request<LdapConfigDto>('GET', '/api/admin/ldap')).body.lastSync!.at;
    // Not yet due: the last sync was moments ago.
    expect(await scheduler.tick(new Date())).toBe(false);
    expect(await scheduler.tick(new Date(Date.now() + 16 * 60_000))).toBe(true);
    const after = (await admin.request<LdapConfigDto>('GET', '/api/admin/ldap')).body.lastSync!;
    expect(after.trigger).toBe('scheduled');
    expect(after.at > before).toBe(true);
    // While another replica holds the lock, a manual sync is refused and a scheduled one skipped.
    const other = t.dataSource.createQueryRunner();
    await other.connect();
    await other.query(`SELECT pg_advisory_lock(hashtext('miyu:ldap-sync'))`);
    try {
      const res = await admin.request<ErrorBody>('POST', '/api/admin/ldap/sync');
      expect([res.status, res.body.error.code]).toEqual([409, 'LDAP_SYNC_RUNNING']);
      expect(await scheduler.tick(new Date(Date.now() + 60 * 60_000))).toBe(false);
    } finally {
      await other.query(`SELECT pg_advisory_unlock(hashtext('miyu:ldap-sync'))`);
      await other.release();
    }
    await admin.request('PUT', '/api/admin/ldap', { ...config, bindPassword: undefined });
  });

  it('fails with a clear error on a wrong bind password or an unreachable server, changing nothing', async () => {
    await admin.request('PUT', '/api/admin/ldap', { ...config, bindPassword: 'wrong-password' });
    const bind = await admin.request<ErrorBody>('POST', '/api/admin/ldap/sync');
    expect([bind.status, bind.body.error.code]).toEqual([502, 'LDAP_BIND_FAILED']);
    expect(bind.body.error.message).not.toContain('wrong-password');
    const cfg = (await admin.request<LdapConfigDto>('GET', '/api/admin/ldap')).body;
    expect(cfg.lastSync).toMatchObject({ ok: false, error: expect.stringContaining('LDAP_BIND_FAILED') });
    const failed = await auditOf('ldap.synced', 7);
    expect(failed.items[0]!.entry.result).toEqual({ ok: false, reason: 'LDAP_BIND_FAILED' });

    await admin.request('PUT', '/api/admin/ldap', { ...config, url: 'ldap://127.0.0.1:1' });
    const conn = await admin.request<ErrorBody>('POST', '/api/admin/ldap/preview');
    expect([conn.status, conn.body.error.code]).toEqual([502, 'LDAP_CONNECT_FAILED']);

    await admin.request('PUT', '/api/admin/ldap', { ...config, baseDns: ['ou=Nowhere,dc=example,dc=com'] });
    const search = await admin.request<ErrorBody>('POST', '/api/admin/ldap/preview');
    expect([search.status, search.body.error.code]).toEqual([502, 'LDAP_SEARCH_FAILED']);
    expect(await user('ada')).toMatchObject({ status: 'active' });
  });
});
