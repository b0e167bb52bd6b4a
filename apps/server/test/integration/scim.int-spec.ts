import {
  type AuditAction,
  type AuditEntry,
  type AuditPage,
  type CreatedApiToken,
  SCIM_SCHEMA,
  type ScimErrorBody,
  type ScimGroup,
  type ScimListResponse,
  type ScimUser,
} from '@miyu/protocol';
import { randomUUID } from 'node:crypto';
import { TestClient } from '../support/http-client.js';
import { createUser } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const ENTERPRISE = SCIM_SCHEMA.enterpriseUser;
const PATCH_OP = SCIM_SCHEMA.patchOp;

interface ScimResult<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * SCIM 2.0 (issue 11) against the real server and PostgreSQL: the request sequences Okta and Microsoft Entra send
 * (from their published SCIM integration guides), then a conformance pass over every endpoint — discovery documents,
 * filters, pagination, the error schema, and that a refused request leaves the database as it was.
 */
describe('SCIM 2.0 provisioning (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  let token: string;

  async function scim<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimResult<T>> {
    const h: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/scim+json',
      ...headers,
    };
    if (body !== undefined) h['content-type'] ??= 'application/scim+json';
    const res = await fetch(`${t.url}/scim/v2${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  }

  const q = (filter: string) => encodeURIComponent(filter);

  /** Everything SCIM can change, read straight from PostgreSQL: compared before and after a refused request. */
  async function snapshot(): Promise<string> {
    const parts = await Promise.all([
      t.dataSource.query(
        `SELECT id, login, display_name, employee_no, email, phone, status, role, updated_at FROM users ORDER BY id`,
      ),
      t.dataSource.query(`SELECT * FROM scim_users ORDER BY user_id`),
      t.dataSource.query(`SELECT * FROM scim_groups ORDER BY department_id`),
      t.dataSource.query(`SELECT id, name, parent_id, updated_at FROM departments ORDER BY id`),
      t.dataSource.query(`SELECT department_id, user_id, title, is_primary FROM department_members ORDER BY 1, 2`),
      t.dataSource.query(`SELECT user_id, manager_id FROM directory_people ORDER BY user_id`),
    ]);
    return JSON.stringify(parts);
  }

  /** Sends a request that must be refused with `status`/`scimType`, and checks that nothing changed. */
  async function expectRefused(
    method: string,
    path: string,
    body: unknown,
    status: number,
    scimType?: string,
  ): Promise<ScimErrorBody> {
    const before = await snapshot();
    const res = await scim<ScimErrorBody>(method, path, body);
    expect({ status: res.status, scimType: res.body?.scimType }).toEqual({ status, scimType });
    expectScimError(res, status);
    expect(await snapshot()).toBe(before);
    return res.body;
  }

  function expectScimError(res: ScimResult<unknown>, status: number): void {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/scim+json');
    const body = res.body as ScimErrorBody;
    expect(body.schemas).toEqual([SCIM_SCHEMA.error]);
    expect(body.status).toBe(String(status));
    expect(typeof body.detail).toBe('string');
  }

  /** Polls the audit log (appends are batched) until an entry of `action` about `entityId` exists. */
  async function auditEntry(action: AuditAction, entityId: string): Promise<AuditEntry> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await admin.request<AuditPage>('GET', `/api/audit/entries?action=${action}&limit=200`);
      const found = res.body.items.map((i) => i.entry).find((e) => e.entity.id === entityId);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${action} entry for ${entityId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function serviceToken(scopes: string[]): Promise<string> {
    const res = await admin.request<CreatedApiToken>('POST', '/api/admin/service-tokens', {
      name: `idp ${scopes.join(' ')}`,
      scopes,
      expiresInDays: 30,
    });
    if (res.status !== 201) throw new Error(`service token: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  beforeAll(async () => {
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    token = await serviceToken(['scim:provision']);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('authentication', () => {
    it('accepts only a service token with scim:provision, and answers everything else in the SCIM error schema', async () => {
      const anonymous = await fetch(`${t.url}/scim/v2/Users`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
      expect(await anonymous.json()).toMatchObject({ schemas: [SCIM_SCHEMA.error], status: '401' });

      // A signed-in admin's browser session is refused, with or without the CSRF token.
      const session = await admin.request<ScimErrorBody>('GET', '/scim/v2/Users');
      expect(session.status).toBe(401);
      expect(session.body).toMatchObject({ schemas: [SCIM_SCHEMA.error], status: '401' });
      const before = await snapshot();
      const sessionPost = await admin.request<ScimErrorBody>('POST', '/scim/v2/Users', {
        schemas: [SCIM_SCHEMA.user],
        userName: 'via.session',
      });
      expect(sessionPost.status).toBe(401);
      expect(sessionPost.body).toMatchObject({ schemas: [SCIM_SCHEMA.error], status: '401' });
      const noCsrf = await admin.request('POST', '/scim/v2/Users', { userName: 'via.session' }, { 'x-csrf-token': '' });
      expect(noCsrf.status).toBe(401);
      expect(await snapshot()).toBe(before);

      const other = await serviceToken(['directory:read']);
      const wrongScope = await fetch(`${t.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${other}` } });
      expect(wrongScope.status).toBe(403);
      expect(await wrongScope.json()).toMatchObject({ schemas: [SCIM_SCHEMA.error], status: '403' });

      const unknown = await fetch(`${t.url}/scim/v2/Users`, {
        headers: { authorization: `Bearer miyu_pat_${'A'.repeat(43)}` },
      });
      expect(unknown.status).toBe(401);
      expect(await unknown.json()).toMatchObject({ schemas: [SCIM_SCHEMA.error], status: '401' });
    });
  });

  describe('discovery endpoints', () => {
    it('describe the service provider, its resource types and schemas', async () => {
      const config = await scim<Record<string, unknown>>('GET', '/ServiceProviderConfig');
      expect(config.status).toBe(200);
      expect(config.headers.get('content-type')).toContain('application/scim+json');
      expect(config.body).toMatchObject({
        schemas: [SCIM_SCHEMA.serviceProviderConfig],
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true, maxResults: 200 },
        sort: { supported: false },
        etag: { supported: false },
        authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
      });

      const types = await scim<ScimListResponse<Record<string, unknown>>>('GET', '/ResourceTypes');
      expect(types.body).toMatchObject({ schemas: [SCIM_SCHEMA.listResponse], totalResults: 2, itemsPerPage: 2 });
      expect(types.body.Resources).toEqual([
        expect.objectContaining({
          id: 'User',
          endpoint: '/Users',
          schema: SCIM_SCHEMA.user,
          schemaExtensions: [{ schema: ENTERPRISE, required: false }],
        }),
        expect.objectContaining({ id: 'Group', endpoint: '/Groups', schema: SCIM_SCHEMA.group }),
      ]);
      expect((await scim('GET', '/ResourceTypes/User')).body).toMatchObject({ id: 'User' });

      const schemas = await scim<ScimListResponse<{ id: string; attributes: Array<{ name: string }> }>>(
        'GET',
        '/Schemas',
      );
      expect(schemas.body.Resources.map((s) => s.id)).toEqual([SCIM_SCHEMA.user, ENTERPRISE, SCIM_SCHEMA.group]);
      const user = await scim<{ attributes: Array<{ name: string; mutability: string; subAttributes?: unknown[] }> }>(
        'GET',
        `/Schemas/${SCIM_SCHEMA.user}`,
      );
      const names = user.body.attributes.map((a) => a.name);
      for (const n of ['userName', 'name', 'displayName', 'emails', 'phoneNumbers', 'title', 'active', 'groups'])
        expect(names).toContain(n);
      expect(user.body.attributes.find((a) => a.name === 'groups')?.mutability).toBe('readOnly');
      const enterprise = await scim<{ attributes: Array<{ name: string }> }>('GET', `/Schemas/${ENTERPRISE}`);
      expect(enterprise.body.attributes.map((a) => a.name)).toEqual(['employeeNumber', 'department', 'manager']);

      expectScimError(await scim('GET', '/Schemas/urn:example:nothing'), 404);
      expectScimError(await scim('GET', '/ResourceTypes/Printer'), 404);
      expectScimError(
        await scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'] }),
        404,
      );
      expectScimError(await scim('GET', '/Me'), 404);
      expectScimError(await scim('POST', '/Users/.search', { filter: 'userName eq "x"' }), 404);
    });
  });

  describe('Okta provisioning sequence', () => {
    let dana: ScimUser;

    it('looks the user up by userName, creates it, reads it back', async () => {
      const lookup = await scim<ScimListResponse<ScimUser>>(
        'GET',
        `/Users?filter=${q('userName eq "dana.okta"')}&startIndex=1&count=100`,
      );
      expect(lookup.status).toBe(200);
      expect(lookup.body).toEqual({
        schemas: [SCIM_SCHEMA.listResponse],
        totalResults: 0,
        startIndex: 1,
        itemsPerPage: 0,
        Resources: [],
      });

      // Okta's create body (application/json, with `locale`, `groups` and the password it syncs).
      const created = await scim<ScimUser>(
        'POST',
        '/Users',
        {
          schemas: [SCIM_SCHEMA.user],
          userName: 'dana.okta',
          name: { givenName: 'Dana', familyName: 'Li' },
          emails: [{ primary: true, value: 'dana@example.com', type: 'work' }],
          displayName: 'Dana Li',
          locale: 'en-US',
          externalId: '00u1abcdEFGHijkl0x7',
          groups: [],
          password: 'okta-synced-password-1',
          active: true,
        },
        { 'content-type': 'application/json' },
      );
      expect(created.status).toBe(201);
      expect(created.headers.get('content-type')).toContain('application/scim+json');
      dana = created.body;
      // Absolute, under the server's configured public URL.
      expect(new URL(created.headers.get('location')!).pathname).toBe(`/scim/v2/Users/${dana.id}`);
      expect(dana).toMatchObject({
        schemas: [SCIM_SCHEMA.user, ENTERPRISE],
        userName: 'dana.okta',
        externalId: '00u1abcdEFGHijkl0x7',
        displayName: 'Dana Li',
        name: { givenName: 'Dana', familyName: 'Li', formatted: 'Dana Li' },
        emails: [{ value: 'dana@example.com', type: 'work', primary: true }],
        active: true,
        groups: [],
        meta: { resourceType: 'User', location: created.headers.get('location') },
      });
      expect(dana).not.toHaveProperty('password');

      const again = await scim<ScimListResponse<ScimUser>>('GET', `/Users?filter=${q('userName eq "Dana.Okta"')}`);
      expect(again.body.totalResults).toBe(1);
      expect(again.body.Resources[0]).toEqual(dana);
      expect((await scim<ScimUser>('GET', `/Users/${dana.id}`)).body).toEqual(dana);

      // The synced password signs in.
      expect((await new TestClient(t.url).login('dana.okta', 'okta-synced-password-1')).status).toBe(200);
      const audit = await auditEntry('user.created', dana.id);
      expect(audit.context).toMatchObject({ via: 'scim', displayName: 'Dana Li' });
    });

    it('updates the profile with PUT, deactivates with PATCH replace {active:false}, reactivates', async () => {
      const put = await scim<ScimUser>('PUT', `/Users/${dana.id}`, {
        schemas: [SCIM_SCHEMA.user],
        id: dana.id,
        userName: 'dana.okta',
        name: { givenName: 'Dana', familyName: 'Li-Wang' },
        emails: [{ primary: true, value: 'dana.wang@example.com', type: 'work' }],
        displayName: 'Dana Li-Wang',
        externalId: '00u1abcdEFGHijkl0x7',
        title: 'Account Manager',
        active: true,
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        displayName: 'Dana Li-Wang',
        name: { familyName: 'Li-Wang' },
        emails: [{ value: 'dana.wang@example.com' }],
        title: 'Account Manager',
        active: true,
      });
      const [row] = (await t.dataSource.query(`SELECT display_name, email FROM users WHERE id = $1`, [dana.id])) as [
        { display_name: string; email: string },
      ];
      expect(row).toEqual({ display_name: 'Dana Li-Wang', email: 'dana.wang@example.com' });
      expect((await auditEntry('user.updated', dana.id)).context).toMatchObject({ via: 'scim' });

      const session = new TestClient(t.url);
      expect((await session.login('dana.okta', 'okta-synced-password-1')).status).toBe(200);
      const off = await scim<ScimUser>('PATCH', `/Users/${dana.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      const [status] = (await t.dataSource.query(`SELECT status FROM users WHERE id = $1`, [dana.id])) as [
        { status: string },
      ];
      expect(status!.status).toBe('disabled');
      // Disabling ends the person's sessions at once.
      expect((await session.request('GET', '/api/auth/session')).status).toBe(401);
      expect((await auditEntry('user.disabled', dana.id)).context).toMatchObject({ via: 'scim' });

      const on = await scim<ScimUser>('PATCH', `/Users/${dana.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { active: true } }],
      });
      expect(on.body.active).toBe(true);
      expect((await auditEntry('user.enabled', dana.id)).context).toMatchObject({ via: 'scim' });
    });
  });

  describe('Microsoft Entra provisioning sequence', () => {
    let ryan: ScimUser;
    let manager: ScimUser;
    let group: ScimGroup;
    const entraUser = (userName: string, externalId: string, displayName: string, employeeNumber: string) => ({
      schemas: [SCIM_SCHEMA.user, ENTERPRISE],
      externalId,
      userName,
      active: true,
      addresses: [{ primary: true, type: 'work', locality: 'Shanghai', country: 'CN' }],
      displayName,
      emails: [{ primary: true, type: 'work', value: `${userName}@contoso.example` }],
      meta: { resourceType: 'User' },
      name: { formatted: displayName, familyName: displayName.split(' ')[1], givenName: displayName.split(' ')[0] },
      phoneNumbers: [{ primary: true, type: 'mobile', value: '+86 138 0013 8000' }],
      roles: [],
      preferredLanguage: 'zh-CN',
      [ENTERPRISE]: { employeeNumber, department: 'Sales' },
    });

    it('checks userName, creates the user (with the enterprise extension) and finds it by externalId', async () => {
      const lookup = await scim<ScimListResponse<ScimUser>>('GET', `/Users?filter=${q('userName eq "ryan.chen"')}`);
      expect(lookup.body.totalResults).toBe(0);
      const created = await scim<ScimUser>(
        'POST',
        '/Users',
        entraUser('ryan.chen', '58342554-38d6-4ec8-948c-50044d0a33fd', 'Ryan Chen', 'E1001'),
      );
      expect(created.status).toBe(201);
      ryan = created.body;
      expect(ryan).toMatchObject({
        userName: 'ryan.chen',
        phoneNumbers: [{ value: '+86 138 0013 8000', type: 'mobile', primary: true }],
        [ENTERPRISE]: { employeeNumber: 'E1001', department: 'Sales' },
      });
      expect(ryan).not.toHaveProperty('addresses');
      manager = (
        await scim<ScimUser>(
          'POST',
          '/Users',
          entraUser('mei.wang', 'a1c2f9b8-1d8e-4a6b-9e0a-3f7b2c1d0e9f', 'Mei Wang', 'E1000'),
        )
      ).body;
      const byExternal = await scim<ScimListResponse<ScimUser>>(
        'GET',
        `/Users?filter=${q('externalId eq "58342554-38d6-4ec8-948c-50044d0a33fd"')}`,
      );
      expect(byExternal.body.Resources.map((u) => u.id)).toEqual([ryan.id]);
    });

    it('applies Entra PATCH Replace/Add operations, including string booleans and the manager as a bare id', async () => {
      const res = await scim<ScimUser>('PATCH', `/Users/${ryan.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'displayName', value: 'Ryan C. Chen' },
          { op: 'Replace', path: 'name.givenName', value: 'Ryan C.' },
          { op: 'Add', path: 'title', value: 'Sales Engineer' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ryan.c@contoso.example' },
          { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+86 139 0000 0001' },
          { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Beijing' },
          { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Presales' },
          { op: 'Add', path: `${ENTERPRISE}:manager`, value: manager.id },
          { op: 'Replace', path: 'preferredLanguage', value: 'en-US' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        displayName: 'Ryan C. Chen',
        name: { givenName: 'Ryan C.', familyName: 'Chen' },
        title: 'Sales Engineer',
        emails: [{ value: 'ryan.c@contoso.example', type: 'work' }],
        phoneNumbers: [{ value: '+86 139 0000 0001', type: 'mobile' }],
        [ENTERPRISE]: {
          employeeNumber: 'E1001',
          department: 'Presales',
          manager: { value: manager.id, displayName: 'Mei Wang' },
        },
      });
      const [person] = (await t.dataSource.query(`SELECT manager_id FROM directory_people WHERE user_id = $1`, [
        ryan.id,
      ])) as [{ manager_id: string }];
      expect(person!.manager_id).toBe(manager.id);

      const off = await scim<ScimUser>('PATCH', `/Users/${ryan.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
      expect(off.body.active).toBe(false);
      const on = await scim<ScimUser>('PATCH', `/Users/${ryan.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
      });
      expect(on.body.active).toBe(true);

      // Removing the manager (Entra sends remove with the old value).
      const noManager = await scim<ScimUser>('PATCH', `/Users/${ryan.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Remove', path: `${ENTERPRISE}:manager`, value: [{ value: manager.id }] }],
      });
      expect(noManager.body[ENTERPRISE]).not.toHaveProperty('manager');
      // And back, in the path-less form with a schema-qualified key.
      const back = await scim<ScimUser>('PATCH', `/Users/${ryan.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', value: { [`${ENTERPRISE}:manager`]: { value: manager.id } } }],
      });
      expect(back.body[ENTERPRISE]?.manager?.value).toBe(manager.id);
    });

    it('creates a Group (a department), adds and removes members with the PATCH forms Entra and Okta send', async () => {
      const lookup = await scim<ScimListResponse<ScimGroup>>(
        'GET',
        `/Groups?filter=${q('displayName eq "Sales Team"')}&excludedAttributes=members`,
      );
      expect(lookup.body.totalResults).toBe(0);
      const created = await scim<ScimGroup>('POST', '/Groups', {
        schemas: [SCIM_SCHEMA.group],
        externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
        displayName: 'Sales Team',
        members: [],
        meta: { resourceType: 'Group' },
      });
      expect(created.status).toBe(201);
      group = created.body;
      expect(group).toMatchObject({ displayName: 'Sales Team', members: [], externalId: expect.any(String) });
      const [dept] = (await t.dataSource.query(`SELECT name, parent_id FROM departments WHERE id = $1`, [
        group.id,
      ])) as [{ name: string; parent_id: string | null }];
      expect(dept).toEqual({ name: 'Sales Team', parent_id: null });

      const members = async () =>
        (
          (await t.dataSource.query(`SELECT user_id FROM department_members WHERE department_id = $1 ORDER BY 1`, [
            group.id,
          ])) as Array<{ user_id: string }>
        ).map((r) => r.user_id);

      const add = await scim<ScimGroup>('PATCH', `/Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: [{ value: ryan.id }] }],
      });
      expect(add.status).toBe(200);
      expect(add.body.members).toEqual([expect.objectContaining({ value: ryan.id, display: 'Ryan C. Chen' })]);
      expect(await members()).toEqual([ryan.id]);
      expect((await auditEntry('department.member_added', group.id)).context).toMatchObject({ via: 'scim' });
      // The user's groups show the department.
      expect((await scim<ScimUser>('GET', `/Users/${ryan.id}`)).body.groups).toEqual([
        expect.objectContaining({ value: group.id, display: 'Sales Team' }),
      ]);

      await scim('PATCH', `/Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Remove', path: `members[value eq "${ryan.id}"]` }],
      });
      expect(await members()).toEqual([]);

      await scim('PATCH', `/Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: [{ value: ryan.id }, { value: manager.id }] }],
      });
      expect(await members()).toEqual([ryan.id, manager.id].sort());
      // Entra removes with a value list.
      await scim('PATCH', `/Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Remove', path: 'members', value: [{ value: manager.id }] }],
      });
      expect(await members()).toEqual([ryan.id]);

      const renamed = await scim<ScimGroup>('PATCH', `/Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Replace', path: 'displayName', value: 'Sales' }],
      });
      expect(renamed.body.displayName).toBe('Sales');
      // Okta: path-less replace carrying id and displayName.
      const okta = await scim<ScimGroup>('PATCH', `/Groups/${group.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', value: { id: group.id, displayName: 'Sales EMEA' } }],
      });
      expect(okta.body.displayName).toBe('Sales EMEA');

      const slim = await scim<ScimGroup>('GET', `/Groups/${group.id}?excludedAttributes=members`);
      expect(slim.body).not.toHaveProperty('members');
      expect(slim.body).toMatchObject({ id: group.id, displayName: 'Sales EMEA' });

      const put = await scim<ScimGroup>('PUT', `/Groups/${group.id}`, {
        schemas: [SCIM_SCHEMA.group],
        displayName: 'Sales EMEA',
        members: [{ value: manager.id }],
      });
      expect(put.body.members.map((m) => m.value)).toEqual([manager.id]);
      expect(put.body).not.toHaveProperty('externalId');
      expect(await members()).toEqual([manager.id]);
    });

    it('DELETE of a Group deletes the department (people stay); DELETE of a User disables it', async () => {
      expect((await scim('DELETE', `/Groups/${group.id}`)).status).toBe(204);
      expect(await t.dataSource.query(`SELECT 1 FROM departments WHERE id = $1`, [group.id])).toEqual([]);
      expectScimError(await scim('GET', `/Groups/${group.id}`), 404);
      expect((await scim<ScimUser>('GET', `/Users/${manager.id}`)).body.active).toBe(true);

      expect((await scim('DELETE', `/Users/${ryan.id}`)).status).toBe(204);
      const after = await scim<ScimUser>('GET', `/Users/${ryan.id}`);
      expect(after.status).toBe(200);
      expect(after.body.active).toBe(false);
      // Its audit history stays.
      expect((await auditEntry('user.disabled', ryan.id)).context).toMatchObject({ via: 'scim' });
      expect((await auditEntry('user.created', ryan.id)).context).toMatchObject({ via: 'scim' });
    });
  });

  describe('conformance', () => {
    let all: ScimUser[];

    beforeAll(async () => {
      for (const login of ['page.a', 'page.b', 'page.c', 'page.d']) {
        const res = await scim('POST', '/Users', { schemas: [SCIM_SCHEMA.user], userName: login });
        expect(res.status).toBe(201);
      }
      all = (await scim<ScimListResponse<ScimUser>>('GET', '/Users?count=200')).body.Resources;
    });

    it('paginates with 1-based startIndex and count (clamped), totalResults counting every match', async () => {
      const total = all.length;
      expect(total).toBeGreaterThanOrEqual(8);
      const page = await scim<ScimListResponse<ScimUser>>('GET', '/Users?startIndex=2&count=3');
      expect(page.body).toMatchObject({ totalResults: total, startIndex: 2, itemsPerPage: 3 });
      expect(page.body.Resources.map((u) => u.id)).toEqual(all.slice(1, 4).map((u) => u.id));
      const last = await scim<ScimListResponse<ScimUser>>('GET', `/Users?startIndex=${total}&count=10`);
      expect(last.body.Resources.map((u) => u.id)).toEqual([all[total - 1]!.id]);
      const beyond = await scim<ScimListResponse<ScimUser>>('GET', `/Users?startIndex=${total + 5}`);
      expect(beyond.body).toMatchObject({ totalResults: total, itemsPerPage: 0, Resources: [] });
      const zero = await scim<ScimListResponse<ScimUser>>('GET', '/Users?count=0');
      expect(zero.body).toMatchObject({ totalResults: total, itemsPerPage: 0, Resources: [] });
      const below = await scim<ScimListResponse<ScimUser>>('GET', '/Users?startIndex=0&count=-4');
      expect(below.body).toMatchObject({ startIndex: 1, itemsPerPage: 0 });
      const huge = await scim<ScimListResponse<ScimUser>>('GET', '/Users?count=100000');
      expect(huge.body.itemsPerPage).toBe(total);
      const walked: string[] = [];
      for (let start = 1; start <= total; start += 3)
        walked.push(
          ...(await scim<ScimListResponse<ScimUser>>('GET', `/Users?startIndex=${start}&count=3`)).body.Resources.map(
            (u) => u.id,
          ),
        );
      expect(walked).toEqual(all.map((u) => u.id));
      for (const bad of ['count=abc', 'startIndex=1.5', 'count=1&count=2']) {
        const res = await scim<ScimErrorBody>('GET', `/Users?${bad}`);
        expectScimError(res, 400);
        expect(res.body.scimType).toBe('invalidValue');
      }
      const groups = await scim<ScimListResponse<ScimGroup>>('GET', '/Groups?startIndex=1&count=1');
      expect(groups.body).toMatchObject({ schemas: [SCIM_SCHEMA.listResponse], startIndex: 1 });
    });

    it('filters on userName (case-insensitively), externalId, id, emails, schema-qualified names; refuses the rest', async () => {
      const one = async (filter: string) =>
        (await scim<ScimListResponse<ScimUser>>('GET', `/Users?filter=${q(filter)}`)).body.Resources.map(
          (u) => u.userName,
        );
      expect(await one('userName eq "PAGE.B"')).toEqual(['page.b']);
      expect(await one('USERNAME EQ "page.c"')).toEqual(['page.c']);
      expect(await one(`${SCIM_SCHEMA.user}:userName eq "page.d"`)).toEqual(['page.d']);
      expect(await one('externalId eq "00u1abcdEFGHijkl0x7"')).toEqual(['dana.okta']);
      expect(await one('externalId eq "00U1ABCDefghIJKL0X7"')).toEqual([]);
      expect(await one(`id eq "${all[0]!.id}"`)).toEqual([all[0]!.userName]);
      expect(await one('id eq "not-a-uuid"')).toEqual([]);
      expect(await one('emails.value eq "DANA.WANG@example.com"')).toEqual(['dana.okta']);
      expect(await one(`${ENTERPRISE}:employeeNumber eq "E1000"`)).toEqual(['mei.wang']);
      expect(await one('userName eq "nobody"')).toEqual([]);
      const attrs = await scim<ScimListResponse<Record<string, unknown>>>(
        'GET',
        `/Users?filter=${q('userName eq "mei.wang"')}&attributes=userName,${ENTERPRISE}:employeeNumber`,
      );
      expect(Object.keys(attrs.body.Resources[0]!).sort()).toEqual(
        ['id', 'meta', 'schemas', 'userName', ENTERPRISE].sort(),
      );
      expect(attrs.body.Resources[0]![ENTERPRISE]).toEqual({ employeeNumber: 'E1000' });
      const without = await scim<Record<string, unknown>>(
        'GET',
        `/Users/${all.find((u) => u.userName === 'mei.wang')!.id}?excludedAttributes=emails,groups,${ENTERPRISE}:department`,
      );
      expect(without.body).not.toHaveProperty('emails');
      expect(without.body).not.toHaveProperty('groups');
      expect(without.body[ENTERPRISE]).toEqual({ employeeNumber: 'E1000' });
      expect(without.body).toHaveProperty('userName', 'mei.wang');

      for (const bad of [
        'userName co "page"',
        'userName sw "page"',
        'userName eq "page.a" and active eq true',
        'userName eq "page.a" or userName eq "page.b"',
        'not (userName eq "page.a")',
        'title eq "x"',
        'userName eq page.a',
        'userName',
        '(((',
        'userName eq "unterminated',
        'userName zz "x"',
        'active eq "yes"',
      ]) {
        const res = await scim<ScimErrorBody>('GET', `/Users?filter=${q(bad)}`);
        expectScimError(res, 400);
        expect({ bad, scimType: res.body.scimType }).toEqual({ bad, scimType: 'invalidFilter' });
      }
      const groupFilter = await scim<ScimErrorBody>('GET', `/Groups?filter=${q('members eq "x"')}`);
      expect(groupFilter.body.scimType).toBe('invalidFilter');
    });

    it('answers 404 in the SCIM error schema for unknown ids on every method', async () => {
      for (const resource of ['Users', 'Groups']) {
        for (const id of [randomUUID(), 'not-a-uuid']) {
          expectScimError(await scim('GET', `/${resource}/${id}`), 404);
          expectScimError(await scim('DELETE', `/${resource}/${id}`), 404);
          expectScimError(await scim('PUT', `/${resource}/${id}`, { userName: 'x', displayName: 'x' }), 404);
          expectScimError(
            await scim('PATCH', `/${resource}/${id}`, {
              schemas: [PATCH_OP],
              Operations: [{ op: 'replace', path: 'displayName', value: 'x' }],
            }),
            404,
          );
        }
      }
    });

    it('refuses duplicates with 409 uniqueness and changes nothing', async () => {
      await expectRefused('POST', '/Users', { schemas: [SCIM_SCHEMA.user], userName: 'PAGE.A' }, 409, 'uniqueness');
      await expectRefused(
        'POST',
        '/Users',
        { schemas: [SCIM_SCHEMA.user, ENTERPRISE], userName: 'new.person', [ENTERPRISE]: { employeeNumber: 'E1000' } },
        409,
        'uniqueness',
      );
      const pageA = all.find((u) => u.userName === 'page.a')!;
      await expectRefused(
        'PATCH',
        `/Users/${pageA.id}`,
        { schemas: [PATCH_OP], Operations: [{ op: 'add', path: `${ENTERPRISE}:employeeNumber`, value: 'E1000' }] },
        409,
        'uniqueness',
      );
    });

    it('refuses malformed bodies, PATCH operations and values with the right scimType and changes nothing', async () => {
      const target = all.find((u) => u.userName === 'page.b')!;
      const dana = all.find((u) => u.userName === 'dana.okta')!;
      const mei = all.find((u) => u.userName === 'mei.wang')!;
      const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
      const url = `/Users/${target.id}`;

      await expectRefused('POST', '/Users', '{"userName": "broken",', 400, 'invalidSyntax');
      await expectRefused('POST', '/Users', '["not", "an", "object"]', 400, 'invalidSyntax');
      await expectRefused(
        'PATCH',
        url,
        { Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
        400,
        'invalidSyntax',
      );
      await expectRefused('PATCH', url, { schemas: [PATCH_OP], Operations: [] }, 400, 'invalidSyntax');
      await expectRefused('PATCH', url, patch({ op: 'move', path: 'title', value: 'x' }), 400, 'invalidSyntax');
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'replace', path: 'favouriteColour', value: 'x' }),
        400,
        'invalidPath',
      );
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
        400,
        'invalidPath',
      );
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'replace', path: 'name.nickname', value: 'x' }),
        400,
        'invalidPath',
      );
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'replace', path: 'urn:example:other:attr', value: 'x' }),
        400,
        'invalidPath',
      );
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'replace', path: 'emails[type co "work"].value', value: 'a@b.example' }),
        400,
        'invalidFilter',
      );
      await expectRefused('PATCH', url, patch({ op: 'remove' }), 400, 'noTarget');
      await expectRefused('PATCH', url, patch({ op: 'replace', path: 'id', value: randomUUID() }), 400, 'mutability');
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'add', path: 'groups', value: [{ value: randomUUID() }] }),
        400,
        'mutability',
      );
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'replace', path: 'userName', value: 'page.renamed' }),
        400,
        'mutability',
      );
      await expectRefused('PATCH', url, patch({ op: 'replace', path: 'active', value: 'maybe' }), 400, 'invalidValue');
      await expectRefused('PATCH', url, patch({ op: 'replace', path: 'displayName' }), 400, 'invalidValue');
      await expectRefused('PATCH', url, patch({ op: 'replace', value: 'not an object' }), 400, 'invalidValue');
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'add', path: 'emails', value: [{ value: 'not-an-email', type: 'work' }] }),
        400,
        'invalidValue',
      );
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'add', path: 'phoneNumbers', value: [{ value: 'call me' }] }),
        400,
        'invalidValue',
      );
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'add', path: `${ENTERPRISE}:manager`, value: randomUUID() }),
        400,
        'invalidValue',
      );
      // Mei reports to nobody; Ryan reports to Mei: Mei reporting to Ryan would be a cycle.
      const ryan = all.find((u) => u.userName === 'ryan.chen')!;
      await expectRefused(
        'PATCH',
        `/Users/${mei.id}`,
        patch({ op: 'add', path: `${ENTERPRISE}:manager`, value: ryan.id }),
        400,
        'invalidValue',
      );
      await expectRefused(
        'PATCH',
        `/Users/${mei.id}`,
        patch({ op: 'add', path: `${ENTERPRISE}:manager`, value: mei.id }),
        400,
        'invalidValue',
      );
      // A valid operation followed by an invalid one: the whole request is refused and nothing changes.
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'bogus', value: 1 }),
        400,
        'invalidPath',
      );
      await expectRefused(
        'PATCH',
        url,
        patch({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'active', value: 42 }),
        400,
        'invalidValue',
      );
      // userName must be a Miyu login name (Entra's default UPN with @ is refused: map mailNickname instead).
      await expectRefused(
        'POST',
        '/Users',
        { schemas: [SCIM_SCHEMA.user], userName: 'someone@contoso.example' },
        400,
        'invalidValue',
      );
      await expectRefused('POST', '/Users', { schemas: [SCIM_SCHEMA.user] }, 400, 'invalidValue');
      await expectRefused('POST', '/Users', { userName: 'weak.password', password: 'short' }, 400, 'invalidValue');
      await expectRefused('PUT', `/Users/${dana.id}`, { userName: 'someone.else' }, 400, 'mutability');
      // The last active admin cannot be disabled.
      const [adminRow] = (await t.dataSource.query(`SELECT id FROM users WHERE role = 'admin'`)) as [{ id: string }];
      await expectRefused(
        'PATCH',
        `/Users/${adminRow!.id}`,
        patch({ op: 'replace', path: 'active', value: false }),
        409,
      );
      // Groups.
      await expectRefused('POST', '/Groups', { schemas: [SCIM_SCHEMA.group] }, 400, 'invalidValue');
      await expectRefused(
        'POST',
        '/Groups',
        { schemas: [SCIM_SCHEMA.group], displayName: 'Ghosts', members: [{ value: randomUUID() }] },
        400,
        'invalidValue',
      );
      const groupRes = await scim<ScimGroup>('POST', '/Groups', {
        schemas: [SCIM_SCHEMA.group],
        displayName: 'Conformance',
      });
      expect(groupRes.status).toBe(201);
      const gid = groupRes.body.id;
      await expectRefused(
        'PATCH',
        `/Groups/${gid}`,
        patch({ op: 'add', path: 'members', value: [{ value: target.id }, { value: randomUUID() }] }),
        400,
        'invalidValue',
      );
      await expectRefused(
        'PATCH',
        `/Groups/${gid}`,
        patch({ op: 'add', path: 'members', value: 'x' }),
        400,
        'invalidValue',
      );
      await expectRefused(
        'PATCH',
        `/Groups/${gid}`,
        patch({ op: 'replace', path: 'owner', value: 'x' }),
        400,
        'invalidPath',
      );
      await expectRefused(
        'PATCH',
        `/Groups/${gid}`,
        patch({ op: 'remove', path: 'members[value eq "x" and value eq "y"]' }),
        400,
        'invalidFilter',
      );
      // A department with sub-departments (made in Miyu) cannot be deleted over SCIM.
      const child = await admin.request('POST', '/api/admin/directory/departments', { name: 'Child', parentId: gid });
      expect(child.status).toBe(201);
      await expectRefused('DELETE', `/Groups/${gid}`, undefined, 409);
    });

    it('treats a person created in Miyu like any other User', async () => {
      const local = await createUser(admin, 'local.person', 'Local Person');
      const res = await scim<ScimUser>('GET', `/Users/${local.id}`);
      expect(res.body).toMatchObject({ userName: 'local.person', displayName: 'Local Person', active: true });
      expect(res.body).not.toHaveProperty('externalId');
      const linked = await scim<ScimUser>('PATCH', `/Users/${local.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'externalId', value: 'ext-local-1' }],
      });
      expect(linked.body.externalId).toBe('ext-local-1');
      expect(linked.body.displayName).toBe('Local Person');
    });
  });
});
