import type {
  DepartmentDto,
  DepartmentGroupDto,
  DepartmentMemberPage,
  DepartmentNodeDto,
  DepartmentPageDto,
  ImportReport,
  PersonCardDto,
  PersonSummaryDto,
  SearchPage,
  UserDto,
} from '@miyu/protocol';
import { EventEmitter2 } from '@nestjs/event-emitter';
import ExcelJS from 'exceljs';
import { TestClient } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string; message: string; details?: Array<{ path: string; message: string }> } };

describe('org directory (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  let member: TestClient;
  const events: Array<{ name: string; payload: unknown }> = [];
  const people: Record<string, UserDto> = {};

  beforeAll(async () => {
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    const emitter = t.server.app.get(EventEmitter2);
    emitter.onAny((name: string | string[], payload: unknown) => {
      if (String(name).startsWith('directory.')) events.push({ name: String(name), payload });
    });
    for (const [login, displayName, employeeNo, email] of [
      ['zhangsan', '张三', 'E1001', 'zhangsan@example.com'],
      ['lisi', '李四', 'E1002', 'lisi@example.com'],
      ['wangwu', '王五', 'E1003', null],
      ['zhaoliu', '赵六', 'E1004', null],
      ['zhangsanfeng', '张三丰', 'E2001', null],
      ['boss', '钱老板', 'E0001', null],
    ] as const) {
      const res = await admin.request<UserDto>('POST', '/api/admin/users', {
        login,
        displayName,
        employeeNo,
        ...(email ? { email } : {}),
        password: 'member-password-1',
      });
      expect(res.status).toBe(201);
      people[login] = res.body;
    }
    member = new TestClient(t.url);
    expect((await member.login('wangwu', 'member-password-1')).status).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = <T>(path: string, body: unknown) => admin.request<T>('POST', `/api/admin/directory${path}`, body);
  async function dept(name: string, parentId: string | null = null, code?: string): Promise<DepartmentDto> {
    const res = await post<DepartmentDto>('/departments', { name, parentId, ...(code ? { code } : {}) });
    expect(res.status).toBe(201);
    return res.body;
  }
  async function join(departmentId: string, login: string, body: Record<string, unknown> = {}): Promise<PersonCardDto> {
    const res = await admin.request<PersonCardDto>(
      'PUT',
      `/api/admin/directory/departments/${departmentId}/members/${people[login]!.id}`,
      body,
    );
    expect(res.status).toBe(200);
    return res.body;
  }

  describe('department tree', () => {
    it('creates, renames, reorders and moves departments; refuses a move under its own descendant', async () => {
      const hq = await dept('总部', null, 'HQ');
      const rd = await dept('研发部', hq.id, 'RD');
      const fe = await dept('前端组', rd.id, 'FE');
      const sales = await dept('销售部', hq.id, 'SALES');
      expect(fe.depth).toBe(3);

      const renamed = await admin.request<DepartmentDto>('PATCH', `/api/admin/directory/departments/${rd.id}`, {
        name: '研发中心',
        nameEn: 'R&D',
      });
      expect(renamed.body).toMatchObject({ name: '研发中心', nameEn: 'R&D', code: 'RD' });

      const reordered = await post<DepartmentDto[]>('/departments/reorder', {
        parentId: hq.id,
        orderedIds: [sales.id, rd.id],
      });
      expect(reordered.status).toBe(200);
      expect(reordered.body.map((d) => d.name)).toEqual(['销售部', '研发中心']);

      const cycle = await post<ErrorBody>(`/departments/${rd.id}/move`, { parentId: fe.id });
      expect(cycle.status).toBe(409);
      expect(cycle.body.error.code).toBe('DEPARTMENT_MOVE_CYCLE');
      const self = await post<ErrorBody>(`/departments/${rd.id}/move`, { parentId: rd.id });
      expect(self.body.error.code).toBe('DEPARTMENT_MOVE_CYCLE');

      // Move the R&D subtree under sales and back: depths follow.
      const moved = await post<DepartmentDto>(`/departments/${rd.id}/move`, { parentId: sales.id });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ parentId: sales.id, depth: 3 });
      const page = await admin.request<DepartmentPageDto>('GET', `/api/directory/departments/${fe.id}`);
      expect(page.body.breadcrumbs.map((b) => b.name)).toEqual(['总部', '销售部', '研发中心', '前端组']);
      expect(page.body.department.depth).toBe(4);
      await post(`/departments/${rd.id}/move`, { parentId: hq.id });
      expect(
        (await admin.request<DepartmentPageDto>('GET', `/api/directory/departments/${fe.id}`)).body.department.depth,
      ).toBe(3);

      const dup = await post<ErrorBody>('/departments', { name: 'x', code: 'HQ', parentId: null });
      expect(dup.body.error.code).toBe('DEPARTMENT_CODE_TAKEN');
      const missingParent = await post<ErrorBody>('/departments', {
        name: 'x',
        parentId: '00000000-0000-4000-8000-000000000000',
      });
      expect(missingParent.body.error.code).toBe('DEPARTMENT_NOT_FOUND');
    });

    it('refuses trees deeper than 25 levels', async () => {
      let parent: string | null = null;
      for (let i = 1; i <= 25; i++) parent = (await dept(`L${i}`, parent)).id;
      const res = await post<ErrorBody>('/departments', { name: 'L26', parentId: parent });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('DEPARTMENT_TOO_DEEP');
    });

    it('refuses to delete a department with members, sub-departments or a live group, and says why', async () => {
      const parent = await dept('待删除');
      const child = await dept('子部门', parent.id);
      const withSub = await admin.request<ErrorBody>('DELETE', `/api/admin/directory/departments/${parent.id}`);
      expect(withSub.status).toBe(409);
      expect(withSub.body.error).toMatchObject({
        code: 'DEPARTMENT_NOT_EMPTY',
        details: [{ path: 'reason', message: 'subdepartments' }],
      });
      await join(child.id, 'zhaoliu');
      const withMembers = await admin.request<ErrorBody>('DELETE', `/api/admin/directory/departments/${child.id}`);
      expect(withMembers.body.error.details).toEqual([{ path: 'reason', message: 'members' }]);
      await admin.request('DELETE', `/api/admin/directory/departments/${child.id}/members/${people.zhaoliu!.id}`);
      const group = await post<DepartmentGroupDto>('/groups', { departmentId: child.id });
      const withGroup = await admin.request<ErrorBody>('DELETE', `/api/admin/directory/departments/${child.id}`);
      expect(withGroup.body.error.details).toEqual([{ path: 'reason', message: 'group' }]);
      await post(`/groups/${group.body.id}/archive`, {});
      expect((await admin.request('DELETE', `/api/admin/directory/departments/${child.id}`)).status).toBe(204);
      expect((await admin.request('DELETE', `/api/admin/directory/departments/${parent.id}`)).status).toBe(204);
      expect(events.some((e) => e.name === 'directory.department.deleted')).toBe(true);
    });
  });

  describe('memberships, browsing and search', () => {
    let root: DepartmentDto;
    let team: DepartmentDto;
    let other: DepartmentDto;

    beforeAll(async () => {
      root = await dept('集团');
      team = await dept('平台组', root.id);
      other = await dept('运营组', root.id);
    });

    it('keeps exactly one primary department per person', async () => {
      const first = await join(team.id, 'zhangsan', { title: '工程师' });
      expect(first.departments).toEqual([
        expect.objectContaining({ departmentId: team.id, primary: true, title: '工程师' }),
      ]);
      const second = await join(other.id, 'zhangsan', { title: '顾问' });
      expect(second.departments.filter((d) => d.primary).map((d) => d.departmentId)).toEqual([team.id]);
      const switched = await join(other.id, 'zhangsan', { primary: true });
      expect(switched.departments.filter((d) => d.primary).map((d) => d.departmentId)).toEqual([other.id]);
      expect(switched.title).toBe('顾问');
      const refuse = await admin.request<ErrorBody>(
        'PUT',
        `/api/admin/directory/departments/${other.id}/members/${people.zhangsan!.id}`,
        {
          primary: false,
        },
      );
      expect(refuse.body.error.code).toBe('MEMBERSHIP_PRIMARY_REQUIRED');
      // Removing the primary promotes the remaining membership.
      expect(
        (await admin.request('DELETE', `/api/admin/directory/departments/${other.id}/members/${people.zhangsan!.id}`))
          .status,
      ).toBe(204);
      const card = await member.request<PersonCardDto>('GET', `/api/directory/people/${people.zhangsan!.id}`);
      expect(card.body.departments).toEqual([expect.objectContaining({ departmentId: team.id, primary: true })]);
      const gone = await admin.request<ErrorBody>(
        'DELETE',
        `/api/admin/directory/departments/${other.id}/members/${people.zhangsan!.id}`,
      );
      expect(gone.body.error.code).toBe('MEMBERSHIP_NOT_FOUND');
    });

    it('transfers people between departments and sets managers without cycles', async () => {
      await join(team.id, 'lisi', { title: '设计师' });
      const moved = await post<PersonCardDto>(`/people/${people.lisi!.id}/transfer`, {
        fromDepartmentId: team.id,
        toDepartmentId: other.id,
      });
      expect(moved.status).toBe(200);
      expect(moved.body.departments).toEqual([
        expect.objectContaining({ departmentId: other.id, primary: true, title: '设计师' }),
      ]);

      await join(root.id, 'boss', { title: '总经理' });
      const withManager = await admin.request<PersonCardDto>(
        'PUT',
        `/api/admin/directory/people/${people.zhangsan!.id}/manager`,
        {
          managerId: people.boss!.id,
        },
      );
      expect(withManager.body.manager).toMatchObject({ id: people.boss!.id, displayName: '钱老板', title: '总经理' });
      const cycle = await admin.request<ErrorBody>('PUT', `/api/admin/directory/people/${people.boss!.id}/manager`, {
        managerId: people.zhangsan!.id,
      });
      expect(cycle.body.error.code).toBe('MANAGER_CYCLE');
      const head = await admin.request<DepartmentDto>('PATCH', `/api/admin/directory/departments/${root.id}`, {
        headUserId: people.boss!.id,
      });
      expect(head.body.headUserId).toBe(people.boss!.id);
    });

    it('serves the lazy org chart with direct and recursive counts, department pages and member pages', async () => {
      await join(team.id, 'zhangsanfeng');
      await join(other.id, 'zhangsanfeng');
      const roots = await member.request<DepartmentNodeDto[]>('GET', '/api/directory/departments');
      const group = roots.body.find((d) => d.id === root.id)!;
      // boss, zhangsan, lisi, zhangsanfeng: zhangsanfeng is in two departments but counted once.
      expect(group).toMatchObject({ memberCount: 1, recursiveMemberCount: 4, hasChildren: true });
      const children = await member.request<DepartmentNodeDto[]>(
        'GET',
        `/api/directory/departments?parentId=${root.id}`,
      );
      expect(children.body.map((c) => [c.name, c.memberCount, c.recursiveMemberCount])).toEqual([
        ['平台组', 2, 2],
        ['运营组', 2, 2],
      ]);
      const page = await member.request<DepartmentPageDto>('GET', `/api/directory/departments/${root.id}`);
      expect(page.body).toMatchObject({ head: { id: people.boss!.id }, memberCount: 1, recursiveMemberCount: 4 });
      const all = await member.request<DepartmentMemberPage>(
        'GET',
        `/api/directory/departments/${root.id}/members?recursive=true&limit=2`,
      );
      expect(all.body.total).toBe(4);
      expect(all.body.items).toHaveLength(2);
      const rest = await member.request<DepartmentMemberPage>(
        'GET',
        `/api/directory/departments/${root.id}/members?recursive=true&limit=2&offset=2`,
      );
      expect(new Set([...all.body.items, ...rest.body.items].map((i) => i.id)).size).toBe(4);
      const direct = await member.request<DepartmentMemberPage>('GET', `/api/directory/departments/${team.id}/members`);
      expect(direct.body.items.map((i) => i.displayName).sort()).toEqual(['张三', '张三丰']);
    });

    it('keeps the stored org-chart counts equal to a recount through every kind of change', async () => {
      // The stored counts (department_member_counts) must always equal a count of active people per subtree.
      const drift = async () =>
        (await t.dataSource.query(
          `SELECT d.name, coalesce(c.recursive_active, 0) AS stored, live.n AS live
             FROM departments d
             LEFT JOIN department_member_counts c ON c.department_id = d.id
            CROSS JOIN LATERAL (SELECT count(DISTINCT m.user_id)::int AS n FROM department_members m
                                  JOIN users u ON u.id = m.user_id AND u.status = 'active'
                                 WHERE m.department_path >= d.path AND m.department_path < d.path || '/') live
            WHERE coalesce(c.recursive_active, 0) <> live.n`,
        )) as unknown[];
      const a = await dept('计数A');
      const a1 = await dept('计数A1', a.id);
      const a2 = await dept('计数A2', a.id);
      const b = await dept('计数B');
      const b1 = await dept('计数B1', b.id);
      const counts = async (id: string) =>
        (await admin.request<DepartmentPageDto>('GET', `/api/directory/departments/${id}`)).body.recursiveMemberCount;

      await join(a1.id, 'zhaoliu');
      await join(a2.id, 'zhaoliu'); // twice under A: counted once there
      await join(b1.id, 'wangwu');
      expect([await counts(a.id), await counts(a1.id), await counts(b.id)]).toEqual([1, 1, 1]);
      expect(await drift()).toEqual([]);

      await admin.request('POST', `/api/admin/directory/people/${people.zhaoliu!.id}/transfer`, {
        fromDepartmentId: a1.id,
        toDepartmentId: b1.id,
      });
      expect([await counts(a.id), await counts(a1.id), await counts(b.id)]).toEqual([1, 0, 2]);
      expect(await drift()).toEqual([]);

      await post(`/departments/${a.id}/move`, { parentId: b1.id }); // A (with A2) now under B1
      expect([await counts(b.id), await counts(b1.id), await counts(a.id)]).toEqual([2, 2, 1]);
      expect(await drift()).toEqual([]);

      // A disabled person leaves the counts and employees' lists; admins still see them, flagged.
      await admin.request('PATCH', `/api/admin/users/${people.zhaoliu!.id}`, { status: 'disabled' });
      expect(await counts(b.id)).toBe(1);
      expect(await drift()).toEqual([]);
      const asMember = await member.request<DepartmentMemberPage>(
        'GET',
        `/api/directory/departments/${b.id}/members?recursive=true`,
      );
      expect(asMember.body.items.map((i) => [i.displayName, i.disabled])).toEqual([['王五', false]]);
      expect(asMember.body.total).toBe(1);
      const asAdmin = await admin.request<DepartmentMemberPage>(
        'GET',
        `/api/directory/departments/${b.id}/members?recursive=true`,
      );
      expect(asAdmin.body.total).toBe(2);
      expect(asAdmin.body.items.map((i) => [i.displayName, i.disabled]).sort()).toEqual([
        ['王五', false],
        ['赵六', true],
      ]);
      await admin.request('PATCH', `/api/admin/users/${people.zhaoliu!.id}`, { status: 'active' });
      expect(await counts(b.id)).toBe(2);

      for (const [d, login] of [
        [a2, 'zhaoliu'],
        [b1, 'zhaoliu'],
        [b1, 'wangwu'],
      ] as const) {
        const res = await admin.request(
          'DELETE',
          `/api/admin/directory/departments/${d.id}/members/${people[login]!.id}`,
        );
        expect(res.status).toBe(204);
      }
      expect([await counts(b.id), await counts(a.id)]).toEqual([0, 0]);
      expect(await drift()).toEqual([]);
      for (const d of [a2, a, b1, b]) await admin.request('DELETE', `/api/admin/directory/departments/${d.id}`);
      await admin.request('DELETE', `/api/admin/directory/departments/${a1.id}`);
    });

    it('finds people by name, pinyin, initials, employee number and email, exact before prefix before contains', async () => {
      const search = async (q: string) =>
        (await member.request<SearchPage>('GET', `/api/directory/search?q=${encodeURIComponent(q)}`)).body;
      const zs = await search('zs');
      expect(zs.items.map((i) => [i.displayName, i.match])).toEqual([
        ['张三', 'exact'],
        ['张三丰', 'prefix'],
      ]);
      expect((await search('zhangsan')).items.map((i) => i.displayName)).toEqual(['张三', '张三丰']);
      expect((await search('sanfeng')).items).toEqual([
        expect.objectContaining({ displayName: '张三丰', match: 'contains' }),
      ]);
      expect((await search('张三')).items[0]).toMatchObject({
        displayName: '张三',
        match: 'exact',
        primaryDepartment: { id: team.id },
      });
      expect((await search('e2001')).items.map((i) => i.displayName)).toEqual(['张三丰']);
      expect((await search('lisi@EXAMPLE')).items.map((i) => i.displayName)).toEqual(['李四']);
      expect((await search('%')).items).toEqual([]);
      const paged = (await member.request<SearchPage>('GET', '/api/directory/search?q=z&limit=1')).body;
      expect(paged.items).toHaveLength(1);
      expect(paged.hasMore).toBe(true);

      // Disabled people drop out of search at once.
      const leaver = await admin.request<UserDto>('POST', '/api/admin/users', {
        login: 'leaver',
        displayName: '离职者',
        password: 'member-password-1',
      });
      await admin.request('PUT', `/api/admin/directory/departments/${team.id}/members/${leaver.body.id}`, {});
      expect((await search('lizhizhe')).items.map((i) => i.id)).toEqual([leaver.body.id]);
      await admin.request('PATCH', `/api/admin/users/${leaver.body.id}`, { status: 'disabled' });
      expect((await search('lizhizhe')).items).toEqual([]);
    });

    it('finds people created or renamed in Admin → Users at once, without a department', async () => {
      const search = async (q: string) =>
        (await member.request<SearchPage>('GET', `/api/directory/search?q=${encodeURIComponent(q)}`)).body.items.map(
          (i) => i.displayName,
        );
      const created = await admin.request<UserDto>('POST', '/api/admin/users', {
        login: 'newcomer',
        displayName: '欧阳娜娜',
        password: 'member-password-1',
      });
      expect(await search('oyn')).toEqual(['欧阳娜娜']);
      await admin.request('PATCH', `/api/admin/users/${created.body.id}`, { displayName: '欧阳明' });
      expect(await search('ouyangming')).toEqual(['欧阳明']);
      expect(await search('ouyangnana')).toEqual([]);
    });

    it('hides chosen departments and their people from everyone outside them', async () => {
      const secret = await dept('董事会');
      const inner = await dept('秘书处', secret.id);
      await join(inner.id, 'zhaoliu');
      const insider = new TestClient(t.url);
      expect((await insider.login('zhaoliu', 'member-password-1')).status).toBe(200);
      expect((await member.request<SearchPage>('GET', '/api/directory/search?q=zhaoliu')).body.items).toHaveLength(1);

      await admin.request('PATCH', `/api/admin/directory/departments/${secret.id}`, { hidden: true });
      // Outsider (wangwu): no department, no person, not even by id.
      expect((await member.request<SearchPage>('GET', '/api/directory/search?q=zhaoliu')).body.items).toEqual([]);
      expect(
        (await member.request<DepartmentNodeDto[]>('GET', '/api/directory/departments')).body.map((d) => d.id),
      ).not.toContain(secret.id);
      expect((await member.request<ErrorBody>('GET', `/api/directory/departments/${inner.id}`)).body.error.code).toBe(
        'DEPARTMENT_NOT_FOUND',
      );
      expect(
        (await member.request<ErrorBody>('GET', `/api/directory/people/${people.zhaoliu!.id}`)).body.error.code,
      ).toBe('USER_NOT_FOUND');
      // Insider and admin still see it.
      expect((await insider.request<SearchPage>('GET', '/api/directory/search?q=zhaoliu')).body.items).toHaveLength(1);
      expect(
        (await insider.request<DepartmentNodeDto[]>('GET', '/api/directory/departments')).body.map((d) => d.id),
      ).toContain(secret.id);
      expect((await admin.request<SearchPage>('GET', '/api/directory/search?q=zhaoliu')).body.items).toHaveLength(1);
      await admin.request('PATCH', `/api/admin/directory/departments/${secret.id}`, { hidden: false });
      expect((await member.request<SearchPage>('GET', '/api/directory/search?q=zhaoliu')).body.items).toHaveLength(1);
    });

    it('shows contact details only when the org allows it', async () => {
      expect(
        (await member.request<PersonCardDto>('GET', `/api/directory/people/${people.zhangsan!.id}`)).body.email,
      ).toBe('zhangsan@example.com');
      await admin.request('PUT', '/api/admin/directory/settings', { showContactInfo: false });
      expect(
        (await member.request<PersonCardDto>('GET', `/api/directory/people/${people.zhangsan!.id}`)).body.email,
      ).toBeNull();
      expect(
        (await admin.request<PersonCardDto>('GET', `/api/directory/people/${people.zhangsan!.id}`)).body.email,
      ).toBe('zhangsan@example.com');
      await admin.request('PUT', '/api/admin/directory/settings', { showContactInfo: true });
    });
  });

  describe('department groups', () => {
    it('tracks membership from the directory as people join, move and leave; refuses manual changes', async () => {
      const top = await dept('事业部');
      const sub = await dept('事业一部', top.id);
      const elsewhere = await dept('别处');
      await join(top.id, 'boss');
      const created = await post<DepartmentGroupDto>('/groups', { departmentId: top.id, includeSubdepartments: true });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: '事业部', memberCount: 1, archived: false });
      const groupId = created.body.id;
      // The department page names its group chat, so members can open it from there.
      expect(
        (await member.request<DepartmentPageDto>('GET', `/api/directory/departments/${top.id}`)).body.group,
      ).toEqual({ id: groupId, name: '事业部' });
      const changes = () =>
        events
          .filter((e) => e.name === 'directory.department-group.membership-changed')
          .map((e) => e.payload as { groupId: string; added: string[]; removed: string[] })
          .filter((p) => p.groupId === groupId);
      expect(changes()).toEqual([{ groupId, added: [people.boss!.id], removed: [] }]);

      await join(sub.id, 'wangwu');
      expect(changes().at(-1)).toEqual({ groupId, added: [people.wangwu!.id], removed: [] });
      await post(`/people/${people.wangwu!.id}/transfer`, { fromDepartmentId: sub.id, toDepartmentId: elsewhere.id });
      expect(changes().at(-1)).toEqual({ groupId, added: [], removed: [people.wangwu!.id] });
      // Moving a department into the subtree brings its people along.
      await join(elsewhere.id, 'lisi');
      await post(`/departments/${elsewhere.id}/move`, { parentId: sub.id });
      const members = await admin.request<PersonSummaryDto[]>('GET', `/api/admin/directory/groups/${groupId}/members`);
      expect(members.body.map((p) => p.id).sort()).toEqual(
        [people.boss!.id, people.lisi!.id, people.wangwu!.id].sort(),
      );

      const manual = await post<ErrorBody>(`/groups/${groupId}/members`, { userId: people.zhangsan!.id });
      expect(manual.status).toBe(409);
      expect(manual.body.error.code).toBe('DEPARTMENT_GROUP_MANAGED');
      const manualRemove = await admin.request<ErrorBody>(
        'DELETE',
        `/api/admin/directory/groups/${groupId}/members/${people.boss!.id}`,
      );
      expect(manualRemove.body.error.code).toBe('DEPARTMENT_GROUP_MANAGED');
      const dupe = await post<ErrorBody>('/groups', { departmentId: top.id });
      expect(dupe.body.error.code).toBe('DEPARTMENT_GROUP_EXISTS');

      const archived = await post<DepartmentGroupDto>(`/groups/${groupId}/archive`, {});
      expect(archived.body.archived).toBe(true);
      const before = changes().length;
      await admin.request('DELETE', `/api/admin/directory/departments/${top.id}/members/${people.boss!.id}`);
      expect(changes().length).toBe(before);
      const listed = await admin.request<DepartmentGroupDto[]>(
        'GET',
        '/api/admin/directory/groups?includeArchived=true',
      );
      expect(listed.body.find((g) => g.id === groupId)).toMatchObject({ archived: true, memberCount: 3 });
    });
  });

  describe('import and export', () => {
    const HEADER =
      'kind,code,name,name_en,parent_code,sort_order,login,display_name,employee_no,email,phone,department_code,title,manager_employee_no,primary';
    const upload = (body: string | Buffer, format: 'csv' | 'xlsx', dryRun: boolean) =>
      fetch(`${t.url}/api/admin/directory/import?format=${format}&dryRun=${dryRun}`, {
        method: 'POST',
        headers: {
          cookie: admin.cookie!,
          'x-csrf-token': admin.csrfToken!,
          'content-type':
            format === 'csv' ? 'text/csv' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
        body,
      });
    const count = async (sql: string) => ((await t.dataSource.query(sql)) as Array<{ n: number }>)[0]!.n;

    it('previews and imports a good CSV in one go, creating people who cannot sign in yet', async () => {
      const csv = [
        HEADER,
        'department,IMP,导入公司,Imported Co,,,,,,,,,,,',
        'department,IMP-RD,研发,,IMP,1,,,,,,,,,',
        'department,IMP-FE,前端,,IMP-RD,,,,,,,,,,',
        'person,,,,,,sunqi,孙七,E3001,sunqi@example.com,+86 138 0000 0000,IMP-FE,组长,,yes',
        'person,,,,,,sunqi,孙七,E3001,sunqi@example.com,+86 138 0000 0000,IMP-RD,兼任,,no',
        'person,,,,,,zhouba,周八,E3002,,,IMP-FE,工程师,E3001,',
        'person,,,,,,lisi,李四,E1002,lisi@example.com,,IMP-RD,架构师,,',
      ].join('\n');
      const dry = await upload(csv, 'csv', true);
      expect(dry.status).toBe(200);
      const preview = (await dry.json()) as ImportReport;
      expect(preview).toMatchObject({
        dryRun: true,
        ok: true,
        departmentsCreated: 3,
        peopleCreated: 2,
        peopleUpdated: 1,
        membershipsSet: 4,
        errors: [],
      });
      expect(await count(`SELECT count(*)::int AS n FROM departments WHERE code LIKE 'IMP%'`)).toBe(0);

      const real = await upload(csv, 'csv', false);
      expect(real.status).toBe(200);
      expect(((await real.json()) as ImportReport).ok).toBe(true);
      expect(await count(`SELECT count(*)::int AS n FROM departments WHERE code LIKE 'IMP%'`)).toBe(3);
      const hits = (await member.request<SearchPage>('GET', '/api/directory/search?q=sq')).body.items;
      expect(hits[0]).toMatchObject({ displayName: '孙七', title: '组长' });
      const zhouba = (await member.request<SearchPage>('GET', '/api/directory/search?q=zhouba')).body.items[0]!;
      const card = (await member.request<PersonCardDto>('GET', `/api/directory/people/${zhouba.id}`)).body;
      expect(card.manager).toMatchObject({ displayName: '孙七' });
      // The file lists all of lisi's departments: the earlier ones are replaced.
      const lisi = (await member.request<PersonCardDto>('GET', `/api/directory/people/${people.lisi!.id}`)).body;
      expect(lisi.departments.map((d) => d.departmentName)).toEqual(['研发']);
      // Imported people have no usable password.
      expect((await new TestClient(t.url).login('sunqi', '')).status).not.toBe(200);
      expect((await new TestClient(t.url).login('sunqi', '!imported-no-password')).status).toBe(401);
    });

    it('lists every row error with its row number and writes nothing', async () => {
      const csv = [
        HEADER,
        'department,BAD-A,甲,,BAD-B,,,,,,,,,,', // 2: cycle
        'department,BAD-B,乙,,BAD-A,,,,,,,,,,', // 3: cycle
        'department,BAD-C,丙,,NOPE,,,,,,,,,,', // 4: unknown parent
        'department,BAD-D,,,,,,,,,,,,,', // 5: missing name
        'person,,,,,,good1,好人,E9001,good@example.com,,BAD-D,,,', // 6: fine on its own
        'person,,,,,,dup1,重复一,E9002,,,IMP,,,', // 7
        'person,,,,,,dup2,重复二,E9002,,,IMP,,,', // 8: duplicate employee number in file
        'person,,,,,,taken,占用,E1001,,,IMP,,,', // 9: employee number of zhangsan
        'person,,,,,,bademail,坏邮箱,E9003,not-an-email,,IMP,,,', // 10: bad email
        'person,,,,,,,无登录,E9004,,,IMP,,,', // 11: missing login
        'person,,,,,,nodept,无部门,E9005,,,NOWHERE,,,', // 12: unknown department
        'person,,,,,,twoprim,双主,E9006,,,IMP,,,yes', // 13
        'person,,,,,,twoprim,双主,E9006,,,IMP-RD,,,yes', // 14: second primary
        'thing,,,,,,,,,,,,,,', // 15: bad kind
        'person,,,,,,loopa,甲环,E9101,,,IMP,,E9102,', // 16: reports to loopb
        'person,,,,,,loopb,乙环,E9102,,,IMP,,E9101,', // 17: reports to loopa
      ].join('\n');
      const before = await count(`SELECT count(*)::int AS n FROM users`);
      const dry = (await (await upload(csv, 'csv', true)).json()) as ImportReport;
      expect(dry.ok).toBe(false);
      expect(dry.errors.map((e) => [e.row, e.reason])).toEqual([
        [2, 'cycle'],
        [3, 'cycle'],
        [4, 'unknown_parent'],
        [5, 'missing_field'],
        [8, 'duplicate_employee_no'],
        [9, 'employee_no_taken'],
        [10, 'bad_email'],
        [11, 'missing_field'],
        [12, 'unknown_department'],
        [14, 'primary'],
        [15, 'bad_value'],
        [16, 'cycle'],
        [17, 'cycle'],
      ]);
      const real = await upload(csv, 'csv', false);
      expect(real.status).toBe(422);
      const body = (await real.json()) as ErrorBody;
      expect(body.error.code).toBe('IMPORT_INVALID');
      expect(body.error.details).toHaveLength(13);
      expect(await count(`SELECT count(*)::int AS n FROM users`)).toBe(before);
      expect(await count(`SELECT count(*)::int AS n FROM departments WHERE code LIKE 'BAD%'`)).toBe(0);
    });

    it('refuses a reporting loop through people outside the file, writing nothing', async () => {
      // zhangsan already reports to boss; the file makes boss report to zhangsan.
      const csv = [HEADER, 'person,,,,,,boss,钱老板,E0001,,,IMP,总经理,E1001,'].join('\n');
      expect(((await (await upload(csv, 'csv', true)).json()) as ImportReport).ok).toBe(true);
      const real = await upload(csv, 'csv', false);
      expect(real.status).toBe(422);
      const body = (await real.json()) as ErrorBody;
      expect(body.error.code).toBe('IMPORT_INVALID');
      expect(body.error.details).toEqual([
        { path: 'row 2 manager_employee_no', message: 'cycle: boss would report to themselves' },
      ]);
      const card = (await admin.request<PersonCardDto>('GET', `/api/directory/people/${people.boss!.id}`)).body;
      expect(card.manager).toBeNull();
      expect(card.departments.map((d) => d.departmentName)).not.toContain('导入公司');
    });

    async function xlsx(rows: string[][]): Promise<Buffer> {
      const wb = new ExcelJS.Workbook();
      const sheet = wb.addWorksheet('import');
      for (const r of rows) sheet.addRow(r);
      return Buffer.from(await wb.xlsx.writeBuffer());
    }

    it('imports XLSX files and reports their row errors too', async () => {
      const header = HEADER.split(',');
      const row = (v: Record<string, string>) => header.map((h) => v[h] ?? '');
      const good = await xlsx([
        header,
        row({ kind: 'department', code: 'XL', name: '表格部' }),
        row({
          kind: 'person',
          login: 'wujiu',
          display_name: '吴九',
          employee_no: 'E4001',
          department_code: 'XL',
          title: '专员',
        }),
      ]);
      const res = await upload(good, 'xlsx', false);
      expect(res.status).toBe(200);
      expect((await res.json()) as ImportReport).toMatchObject({ ok: true, departmentsCreated: 1, peopleCreated: 1 });
      expect((await member.request<SearchPage>('GET', '/api/directory/search?q=wj')).body.items[0]?.displayName).toBe(
        '吴九',
      );

      const bad = await xlsx([
        header,
        row({ kind: 'person', login: 'x1', display_name: 'X', department_code: 'XL', email: 'nope' }),
        row({ kind: 'department', code: 'XL2' }),
      ]);
      const report = (await (await upload(bad, 'xlsx', true)).json()) as ImportReport;
      expect(report.errors.map((e) => [e.row, e.reason, e.column])).toEqual([
        [2, 'bad_email', 'email'],
        [3, 'missing_field', 'name'],
      ]);
    });

    it('refuses an oversized CSV, a zip bomb and a non-XLSX with clear codes', async () => {
      const big = Buffer.alloc(50 * 1024 * 1024 + 10, 0x61);
      const tooBig = await upload(big, 'csv', true);
      expect(tooBig.status).toBe(413);
      expect(((await tooBig.json()) as ErrorBody).error.code).toBe('IMPORT_TOO_LARGE');

      // A valid XLSX whose zip directory claims huge uncompressed entries: refused before inflating.
      const bomb = await xlsx([HEADER.split(',')]);
      for (let i = bomb.length - 22; i >= 0; i--) {
        if (bomb.readUInt32LE(i) === 0x02014b50) bomb.writeUInt32LE(0x7fffffff, i + 24);
      }
      const refused = await upload(bomb, 'xlsx', true);
      expect(refused.status).toBe(413);
      expect(((await refused.json()) as ErrorBody).error.code).toBe('IMPORT_TOO_LARGE');

      const junk = await upload(Buffer.from('not a zip'), 'xlsx', true);
      expect(junk.status).toBe(400);
      expect(((await junk.json()) as ErrorBody).error.code).toBe('IMPORT_UNREADABLE');
    });

    it('exports CSV and XLSX that import back cleanly', async () => {
      const csvRes = await fetch(`${t.url}/api/admin/directory/export?format=csv`, {
        headers: { cookie: admin.cookie! },
      });
      expect(csvRes.status).toBe(200);
      expect(csvRes.headers.get('content-type')).toMatch(/text\/csv/);
      const csv = Buffer.from(await csvRes.arrayBuffer());
      expect(csv.toString('utf8')).toContain('person,,,,,,sunqi,孙七,E3001');
      const again = (await (await upload(csv, 'csv', true)).json()) as ImportReport;
      expect(again.errors).toEqual([]);
      expect(again).toMatchObject({ peopleCreated: 0, departmentsCreated: 0 });
      expect(again.departmentsUpdated).toBeGreaterThan(10);

      const xlsxRes = await fetch(`${t.url}/api/admin/directory/export?format=xlsx`, {
        headers: { cookie: admin.cookie! },
      });
      expect(xlsxRes.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(await xlsxRes.arrayBuffer());
      expect(wb.worksheets[0]!.getRow(1).getCell(1).value).toBe('kind');
    });
  });

  describe('access and validation', () => {
    it('refuses admin endpoints to members and everything to anonymous callers', async () => {
      for (const [method, path, body] of [
        ['POST', '/api/admin/directory/departments', { name: 'x', parentId: null }],
        ['GET', '/api/admin/directory/groups', undefined],
        ['GET', '/api/admin/directory/export?format=csv', undefined],
        ['POST', '/api/admin/directory/import?format=csv&dryRun=true', 'kind'],
        ['PUT', '/api/admin/directory/settings', { showContactInfo: false }],
      ] as const) {
        const res = await member.request<ErrorBody>(method, path, body);
        expect([method, path, res.status]).toEqual([method, path, 403]);
      }
      const anon = new TestClient(t.url);
      expect((await anon.request('GET', '/api/directory/departments')).status).toBe(401);
      expect((await anon.request('GET', '/api/directory/search?q=a')).status).toBe(401);
    });

    it('validates every request with zod', async () => {
      const bad: Array<[string, string, unknown]> = [
        ['POST', '/api/admin/directory/departments', { name: '', parentId: null }],
        ['POST', '/api/admin/directory/departments', { name: 'a/b', parentId: null }],
        ['POST', '/api/admin/directory/departments', { name: 'ok', parentId: 'not-a-uuid' }],
        ['POST', '/api/admin/directory/departments', { name: 'ok', parentId: null, extra: 1 }],
        ['PATCH', `/api/admin/directory/departments/${people.boss!.id}`, {}],
        ['POST', '/api/admin/directory/departments/not-a-uuid/move', { parentId: null }],
        ['POST', '/api/admin/directory/departments/reorder', { parentId: null, orderedIds: [] }],
        ['PUT', `/api/admin/directory/departments/${people.boss!.id}/members/${people.boss!.id}`, { title: 5 }],
        ['POST', `/api/admin/directory/people/${people.boss!.id}/transfer`, { fromDepartmentId: 'x' }],
        ['PUT', `/api/admin/directory/people/${people.boss!.id}/manager`, {}],
        ['PUT', '/api/admin/directory/settings', { showContactInfo: 'yes' }],
        ['POST', '/api/admin/directory/groups', { departmentId: 'x' }],
        ['POST', '/api/admin/directory/import?format=pdf', 'x'],
        ['GET', '/api/admin/directory/export?format=doc', undefined],
        ['GET', '/api/directory/search?q=', undefined],
        ['GET', '/api/directory/search?q=a&limit=1000', undefined],
        ['GET', '/api/directory/departments?parentId=nope', undefined],
        ['GET', `/api/directory/departments/${people.boss!.id}/members?recursive=maybe`, undefined],
        ['GET', '/api/directory/people/not-a-uuid', undefined],
      ];
      for (const [method, path, body] of bad) {
        const res = await admin.request<ErrorBody>(method, path, body);
        expect([method, path, res.status, res.body.error?.code]).toEqual([method, path, 400, 'VALIDATION_FAILED']);
      }
    });

    it('lists a subtree with index range scans and member pages by the name index (EXPLAIN)', async () => {
      // One connection, so the SET applies to the EXPLAINs.
      const qr = t.dataSource.createQueryRunner();
      await qr.connect();
      await qr.query(`SET enable_seqscan = off`);
      const plan = async (sql: string, params: unknown[]) =>
        ((await qr.query(`EXPLAIN ${sql}`, params)) as Array<{ 'QUERY PLAN': string }>)
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      const path = '0'.repeat(32);
      expect(
        await plan(
          `SELECT user_id FROM department_members WHERE department_path >= $1 AND department_path < $1 || '/'`,
          [path],
        ),
      ).toContain('department_members_path_idx');
      expect(await plan(`SELECT id FROM departments WHERE path >= $1 AND path < $1 || '/'`, [path])).toContain(
        'departments_path_key',
      );
      expect(await plan(`SELECT user_id FROM directory_search_terms WHERE term LIKE $1`, ['zs%'])).toMatch(
        /directory_search_terms_(term_idx|pkey)/,
      );
      // A member page walks people in name order and probes memberships per person, never sorting a subtree.
      await qr.query(`SET enable_sort = off`);
      expect(
        await plan(
          `SELECT u.id FROM users u
            WHERE EXISTS (SELECT 1 FROM department_members m WHERE m.user_id = u.id
                             AND m.department_path >= $1 AND m.department_path < $1 || '/')
              AND u.status = 'active'
            ORDER BY u.display_name, u.id LIMIT 50`,
          [path],
        ),
      ).toContain('users_directory_name_idx');
      await qr.query(`RESET enable_sort`);
      await qr.query(`RESET enable_seqscan`);
      await qr.release();
    });
  });
});
