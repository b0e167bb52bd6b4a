import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { DepartmentNodeDto, DepartmentPageDto, ImportReport, PersonCardDto, SearchHitDto } from '@miyu/protocol';
import { renderApp } from '../../test/renderApp';
import { apiError, makeUser, signedInServer } from '../../test/fakeServer';

const uuid = (n: number) => `0190a0a0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const HQ = uuid(901);
const RD = uuid(902);
const FE = uuid(903);
const ZHANG = uuid(951);
const ZHAO = uuid(952);
const WANG = uuid(953);

function node(id: string, name: string, overrides: Partial<DepartmentNodeDto> = {}): DepartmentNodeDto {
  return {
    id,
    parentId: null,
    name,
    nameEn: null,
    code: null,
    sortOrder: 0,
    depth: 1,
    headUserId: null,
    hidden: false,
    memberCount: 1,
    recursiveMemberCount: 3,
    hasChildren: false,
    ...overrides,
  };
}

function departmentPage(dept: DepartmentNodeDto, children: DepartmentNodeDto[] = []): DepartmentPageDto {
  const { memberCount, recursiveMemberCount, hasChildren: _ignored, ...department } = dept;
  return {
    department,
    breadcrumbs: [{ id: dept.id, name: dept.name }],
    head: null,
    children,
    memberCount,
    recursiveMemberCount,
    group: null,
  };
}

function hit(id: string, displayName: string, match: SearchHitDto['match'], dept: string): SearchHitDto {
  return { id, displayName, employeeNo: null, title: null, match, primaryDepartment: { id: FE, name: dept } };
}

const ZHANG_CARD: PersonCardDto = {
  id: ZHANG,
  displayName: '张三',
  employeeNo: 'E1002',
  email: null,
  phone: null,
  title: '前端工程师',
  departments: [
    { departmentId: FE, departmentName: '前端组', title: '前端工程师', primary: true },
    { departmentId: HQ, departmentName: '总部', title: '技术顾问', primary: false },
  ],
  manager: { id: WANG, displayName: '王五', employeeNo: 'E1001', title: null },
};

function directoryServer() {
  return signedInServer({ role: 'member' })
    .on('GET /api/directory/departments', (request) => {
      const parent = request.query.get('parentId');
      if (!parent) return { status: 200, body: [node(HQ, '总部', { hasChildren: true, recursiveMemberCount: 12 })] };
      if (parent === HQ) {
        return { status: 200, body: [node(RD, '研发中心', { parentId: HQ, depth: 2, recursiveMemberCount: 7 })] };
      }
      return { status: 200, body: [] };
    })
    .on(`GET /api/directory/departments/${RD}`, {
      status: 200,
      body: departmentPage(node(RD, '研发中心', { parentId: HQ, memberCount: 1, recursiveMemberCount: 7 })),
    })
    .on(`GET /api/directory/departments/${RD}/members`, {
      status: 200,
      body: {
        items: [
          {
            id: WANG,
            displayName: '王五',
            employeeNo: 'E1001',
            title: '研发总监',
            departmentId: RD,
            primary: true,
            disabled: false,
          },
        ],
        total: 1,
      },
    })
    .on('GET /api/directory/search', (request) => {
      const q = request.query.get('q');
      const items = q === 'zs' ? [hit(ZHANG, '张三', 'exact', '前端组'), hit(ZHAO, '赵思', 'prefix', '销售部')] : [];
      return { status: 200, body: { items, hasMore: false } };
    })
    .on(`GET /api/directory/people/${ZHANG}`, { status: 200, body: ZHANG_CARD });
}

describe('directory', () => {
  it('loads the org chart lazily: children only when a department is expanded', async () => {
    const server = directoryServer();
    renderApp({ server, path: '/directory' });

    const tree = await screen.findByRole('navigation', { name: '组织架构' });
    expect(await within(tree).findByRole('button', { name: /总部\s*12 人/ })).toBeInTheDocument();
    expect(server.requestsTo('GET /api/directory/departments')).toHaveLength(1);
    expect(within(tree).queryByText('研发中心')).not.toBeInTheDocument();

    const toggle = within(tree).getByRole('button', { name: '展开 总部' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    fireEvent.click(toggle);
    expect(await within(tree).findByRole('button', { name: /研发中心\s*7 人/ })).toBeInTheDocument();
    const requests = server.requestsTo('GET /api/directory/departments');
    expect(requests).toHaveLength(2);
    expect(requests[1]?.query.get('parentId')).toBe(HQ);
    expect(within(tree).getByRole('button', { name: '收起 总部' })).toHaveAttribute('aria-expanded', 'true');

    // Opening a department shows its page and its members.
    fireEvent.click(within(tree).getByRole('button', { name: /研发中心/ }));
    expect(await screen.findByRole('heading', { name: '研发中心', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('直属成员 1 人，含下级部门共 7 人')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: /王五\s*研发总监 · E1001/ })).toBeInTheDocument();
    expect(screen.getByText('尚未设置负责人。')).toBeInTheDocument();
  });

  it('debounces the search, keeps the server ranking and opens a hit from the keyboard', async () => {
    const server = directoryServer();
    renderApp({ server, path: '/directory' });
    const box = await screen.findByRole('combobox', { name: '搜索同事' });

    fireEvent.change(box, { target: { value: 'z' } });
    fireEvent.change(box, { target: { value: 'zs' } });
    expect(server.requestsTo('GET /api/directory/search')).toHaveLength(0);

    const list = await screen.findByRole('listbox', { name: '搜索结果' });
    const options = await within(list).findAllByRole('option');
    expect(server.requestsTo('GET /api/directory/search')).toHaveLength(1);
    expect(server.requestsTo('GET /api/directory/search')[0]?.query.get('q')).toBe('zs');
    expect(options.map((o) => o.textContent)).toEqual([
      expect.stringMatching(/^张三.*前端组.*完全匹配$/),
      expect.stringMatching(/^赵思.*销售部.*开头匹配$/),
    ]);

    fireEvent.keyDown(box, { key: 'ArrowDown' });
    expect(options[0]).toHaveAttribute('aria-selected', 'true');
    expect(box).toHaveAttribute('aria-activedescendant', options[0]?.id);
    fireEvent.keyDown(box, { key: 'Enter' });

    const card = await screen.findByRole('article', { name: '张三' });
    expect(within(card).getByText('前端工程师', { selector: '.person-card__title' })).toBeInTheDocument();
    expect(within(card).getByText('E1002')).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: '王五' })).toBeInTheDocument();
    expect(within(card).getByRole('button', { name: '发消息' })).toBeDisabled();
    expect(within(card).getByText('主部门')).toBeInTheDocument();
    expect(within(card).getAllByText('未提供')).toHaveLength(2); // email and phone not shown to employees
  });

  it('says when nothing matches', async () => {
    renderApp({ server: directoryServer(), path: '/directory' });
    fireEvent.change(await screen.findByRole('combobox', { name: '搜索同事' }), { target: { value: 'nobody' } });
    expect(await screen.findByText('没有找到与“nobody”匹配的同事。')).toBeInTheDocument();
  });
});

const REPORT_WITH_ERRORS: ImportReport = {
  dryRun: true,
  ok: false,
  rows: 4,
  departmentsCreated: 2,
  departmentsUpdated: 0,
  peopleCreated: 1,
  peopleUpdated: 0,
  membershipsSet: 1,
  errors: [
    { row: 3, column: 'parent_code', reason: 'unknown_parent', message: 'parent department X is unknown' },
    { row: 5, column: 'email', reason: 'bad_email', message: 'nope is not an email address' },
    { row: 6, column: 'manager_employee_no', reason: 'cycle', message: 'a would report to themselves' },
  ],
};

const CLEAN_REPORT: ImportReport = { ...REPORT_WITH_ERRORS, ok: true, errors: [] };

function chooseFile(name: string) {
  const file = new File(['kind,code\n'], name, { type: 'text/csv' });
  fireEvent.change(screen.getByLabelText('导入文件'), { target: { files: [file] } });
  return file;
}

describe('admin import', () => {
  it('dry-runs a file and lists every row error with its row number and reason', async () => {
    const server = signedInServer().on('POST /api/admin/directory/import', { status: 200, body: REPORT_WITH_ERRORS });
    renderApp({ server, path: '/admin/import' });
    expect(await screen.findByRole('heading', { name: '导入导出' })).toBeInTheDocument();

    const file = chooseFile('people.csv');
    fireEvent.click(screen.getByRole('button', { name: '预检（不写入）' }));

    const table = await screen.findByRole('table', { name: '3 处错误' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent)).toEqual(['3', '5', '6']);
    expect(rows[0]).toHaveTextContent('上级部门编码不存在');
    expect(rows[1]).toHaveTextContent('邮箱格式不正确');
    expect(rows[2]).toHaveTextContent('直属上级形成了循环');
    expect(screen.getByText('发现 3 处错误，未写入任何内容。请修正文件后重新预检。')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '确认导入' })).not.toBeInTheDocument();

    const [request] = server.requestsTo('POST /api/admin/directory/import');
    expect(request?.query.get('dryRun')).toBe('true');
    expect(request?.query.get('format')).toBe('csv');
    expect(request?.headers['Content-Type']).toBe('text/csv');
    expect(request?.headers['x-csrf-token']).toBe('csrf-token-1');
    expect(request?.rawBody).toBe(file);
  });

  it('imports after a clean dry run and shows the summary', async () => {
    const server = signedInServer().on('POST /api/admin/directory/import', (request) => ({
      status: 200,
      body: { ...CLEAN_REPORT, dryRun: request.query.get('dryRun') === 'true' },
    }));
    renderApp({ server, path: '/admin/import' });
    await screen.findByRole('heading', { name: '导入导出' });
    chooseFile('people.xlsx');
    fireEvent.click(screen.getByRole('button', { name: '预检（不写入）' }));
    fireEvent.click(await screen.findByRole('button', { name: '确认导入' }));

    const result = await screen.findByRole('region', { name: '导入完成' });
    expect(within(result).getByText('导入成功。')).toBeInTheDocument();
    const requests = server.requestsTo('POST /api/admin/directory/import');
    expect(requests.map((r) => [r.query.get('format'), r.query.get('dryRun')])).toEqual([
      ['xlsx', 'true'],
      ['xlsx', 'false'],
    ]);
  });

  it('shows the row errors a refused import reports and refuses other file types', async () => {
    const server = signedInServer().on('POST /api/admin/directory/import', (request) =>
      request.query.get('dryRun') === 'true'
        ? { status: 200, body: CLEAN_REPORT }
        : apiError(400, 'IMPORT_INVALID', {
            details: [{ path: 'row 7 employee_no', message: 'employee_no_taken: E9 already belongs to bob' }],
          }),
    );
    renderApp({ server, path: '/admin/import' });
    await screen.findByRole('heading', { name: '导入导出' });
    chooseFile('notes.txt');
    expect(screen.getByText('只支持 .csv 和 .xlsx 文件。')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '预检（不写入）' })).toBeDisabled();

    chooseFile('people.csv');
    fireEvent.click(screen.getByRole('button', { name: '预检（不写入）' }));
    fireEvent.click(await screen.findByRole('button', { name: '确认导入' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /^文件中有错误的行，未导入任何内容。请先预检查看并修正。$/,
    );
    const table = screen.getByRole('table', { name: '1 处错误' });
    expect(table).toHaveTextContent('7');
    expect(table).toHaveTextContent('工号已被其他账号使用');
  });
});

describe('admin departments', () => {
  function orgServer() {
    return signedInServer()
      .on('GET /api/directory/departments', (request) =>
        request.query.get('parentId')
          ? { status: 200, body: [] }
          : { status: 200, body: [node(HQ, '总部'), node(RD, '研发中心', { sortOrder: 1 })] },
      )
      .on(`GET /api/directory/departments/${RD}`, { status: 200, body: departmentPage(node(RD, '研发中心')) })
      .on(`GET /api/directory/departments/${RD}/members`, { status: 200, body: { items: [], total: 0 } })
      .on('GET /api/admin/directory/groups', { status: 200, body: [] })
      .on('GET /api/admin/directory/settings', { status: 200, body: { showContactInfo: true } });
  }

  it('adds a member with a title as their primary department', async () => {
    const newcomer = makeUser({ id: ZHANG, login: 'zhang.san', displayName: '张三', role: 'member' });
    const server = orgServer()
      .on('GET /api/admin/users', { status: 200, body: { items: [newcomer], total: 1 } })
      .on(`PUT /api/admin/directory/departments/${RD}/members/${ZHANG}`, { status: 200, body: ZHANG_CARD });
    renderApp({ server, path: '/admin/org' });
    fireEvent.click(await screen.findByRole('button', { name: /研发中心/ }));
    fireEvent.click(await screen.findByRole('button', { name: '添加成员' }));
    const dialog = screen.getByRole('dialog', { name: '添加成员到“研发中心”' });
    fireEvent.change(within(dialog).getByLabelText('查找用户'), { target: { value: 'zhang' } });
    fireEvent.click(await within(dialog).findByRole('button', { name: /张三/ }));
    fireEvent.change(within(dialog).getByLabelText(/职务/), { target: { value: '前端工程师' } });
    fireEvent.click(within(dialog).getByLabelText('设为此人的主部门'));
    fireEvent.click(within(dialog).getByRole('button', { name: '添加 张三' }));
    expect(await screen.findByText('已添加成员。')).toBeInTheDocument();
    expect(server.requestsTo(`PUT /api/admin/directory/departments/${RD}/members/${ZHANG}`)[0]?.body).toEqual({
      title: '前端工程师',
      primary: true,
    });
  });

  it("sets a member's manager, shows a refused reporting loop, and marks disabled members", async () => {
    const boss = makeUser({ id: ZHANG, login: 'zhang.san', displayName: '张三', role: 'member' });
    const wang = { id: WANG, displayName: '王五', employeeNo: 'E1001', title: null, departmentId: RD, primary: true };
    let refuse = true;
    const server = orgServer()
      .on(`GET /api/directory/departments/${RD}/members`, {
        status: 200,
        body: {
          items: [
            { ...wang, disabled: false },
            { ...wang, id: ZHAO, displayName: '赵思', employeeNo: 'E1002', disabled: true },
          ],
          total: 2,
        },
      })
      .on('GET /api/admin/users', { status: 200, body: { items: [boss], total: 1 } })
      .on(`PUT /api/admin/directory/people/${WANG}/manager`, () =>
        refuse ? apiError(409, 'MANAGER_CYCLE') : { status: 200, body: ZHANG_CARD },
      );
    renderApp({ server, path: '/admin/org' });
    fireEvent.click(await screen.findByRole('button', { name: /研发中心/ }));
    const disabledRow = await screen.findByRole('row', { name: /赵思/ });
    expect(within(disabledRow).getByText('已停用')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: '设置上级 · 王五' }));
    const dialog = screen.getByRole('dialog', { name: '设置 王五 的直属上级' });
    fireEvent.change(within(dialog).getByLabelText('查找用户'), { target: { value: 'zhang' } });
    fireEvent.click(await within(dialog).findByRole('button', { name: /张三/ }));
    fireEvent.click(within(dialog).getByRole('button', { name: '上级设为 张三' }));
    expect(await within(dialog).findByText('不能这样设置直属上级：会形成汇报关系的循环。')).toBeInTheDocument();
    refuse = false;
    fireEvent.click(within(dialog).getByRole('button', { name: '上级设为 张三' }));
    expect(await screen.findByText('已更新 王五 的上级。')).toBeInTheDocument();
    expect(server.requestsTo(`PUT /api/admin/directory/people/${WANG}/manager`).map((r) => r.body)).toEqual([
      { managerId: ZHANG },
      { managerId: ZHANG },
    ]);
  });

  it('switches contact details on person cards off for employees', async () => {
    const server = orgServer().on('PUT /api/admin/directory/settings', (request) => ({
      status: 200,
      body: request.body,
    }));
    renderApp({ server, path: '/admin/org' });
    const box = await screen.findByRole('checkbox', { name: /向员工公开邮箱和手机号/ });
    await waitFor(() => expect(box).toBeChecked());
    fireEvent.click(box);
    await waitFor(() => expect(box).not.toBeChecked());
    expect(server.requestsTo('PUT /api/admin/directory/settings')[0]?.body).toEqual({ showContactInfo: false });
  });

  it('explains why a department cannot be deleted, in the user language', async () => {
    const server = orgServer().on(
      `DELETE /api/admin/directory/departments/${RD}`,
      apiError(409, 'DEPARTMENT_NOT_EMPTY', { details: [{ path: 'reason', message: 'subdepartments' }] }),
    );
    renderApp({ server, path: '/admin/org' });
    fireEvent.click(await screen.findByRole('button', { name: /研发中心/ }));
    fireEvent.click(await screen.findByRole('button', { name: '删除' }));
    const dialog = screen.getByRole('dialog', { name: '删除部门“研发中心”？' });
    fireEvent.click(within(dialog).getByRole('button', { name: '删除' }));
    expect(
      await within(dialog).findByText('该部门还有下级部门，不能删除。请先删除或移走下级部门。'),
    ).toBeInTheDocument();
  });

  it('reorders siblings with move up', async () => {
    const server = orgServer().on('POST /api/admin/directory/departments/reorder', { status: 200, body: [] });
    renderApp({ server, path: '/admin/org' });
    fireEvent.click(await screen.findByRole('button', { name: /研发中心/ }));
    const up = await screen.findByRole('button', { name: '上移' });
    await waitFor(() => expect(up).toBeEnabled());
    expect(screen.getByRole('button', { name: '下移' })).toBeDisabled();
    fireEvent.click(up);
    expect(await screen.findByText('已调整部门顺序。')).toBeInTheDocument();
    expect(server.requestsTo('POST /api/admin/directory/departments/reorder')[0]?.body).toEqual({
      parentId: null,
      orderedIds: [RD, HQ],
    });
  });

  it('shows the translated cycle error when a move is refused', async () => {
    const server = orgServer().on(
      `POST /api/admin/directory/departments/${RD}/move`,
      apiError(409, 'DEPARTMENT_MOVE_CYCLE'),
    );
    renderApp({ server, path: '/admin/org' });
    fireEvent.click(await screen.findByRole('button', { name: /研发中心/ }));
    fireEvent.click(await screen.findByRole('button', { name: '移动到…' }));
    const dialog = screen.getByRole('dialog', { name: '移动“研发中心”' });
    fireEvent.click(await within(dialog).findByRole('button', { name: /总部/ }));
    expect(within(dialog).getByRole('button', { name: /研发中心/ })).toBeDisabled();
    fireEvent.click(within(dialog).getByRole('button', { name: '移动到这里' }));
    expect(await within(dialog).findByText('不能把部门移动到它自己或它的下级部门之下。')).toBeInTheDocument();
    expect(server.requestsTo(`POST /api/admin/directory/departments/${RD}/move`)[0]?.body).toEqual({ parentId: HQ });
  });
});
