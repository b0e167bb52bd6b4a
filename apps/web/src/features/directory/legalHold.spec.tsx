import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type {
  ComplianceNotice,
  DepartmentMemberDto,
  DepartmentNodeDto,
  DepartmentPageDto,
  PersonCardDto,
  SearchHitDto,
} from '@miyu/protocol';
import { renderApp } from '../../test/renderApp';
import { complianceNoticeKey } from '../compliance';
import { apiError, makeUser, signedInServer, type FakeResponse } from '../../test/fakeServer';

// The legal-hold marker in the org directory: wherever a person is shown, someone under hold carries the badge
// (from GET /api/compliance/notice → heldUserIds) and nobody else does.

const uuid = (n: number) => `0190a0a0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const RD = uuid(902);
const FE = uuid(903);
const ZHANG = uuid(951); // under legal hold
const ZHAO = uuid(952);
const WANG = uuid(953);

const NOTICE = 'GET /api/compliance/notice';
const HOLD_TIP = '此人处于法律保全：与其相关的会话由组织留存，且不会按保留期限删除。';

function notice(heldUserIds: string[]): FakeResponse {
  const body: ComplianceNotice = { organisationName: '示例集团', keys: [], heldUserIds };
  return { status: 200, body };
}

const RD_NODE: DepartmentNodeDto = {
  id: RD,
  parentId: null,
  name: '研发中心',
  nameEn: null,
  code: null,
  sortOrder: 0,
  depth: 1,
  headUserId: ZHANG,
  hidden: false,
  memberCount: 2,
  recursiveMemberCount: 2,
  hasChildren: false,
};

const RD_PAGE: DepartmentPageDto = {
  department: {
    id: RD,
    parentId: null,
    name: '研发中心',
    nameEn: null,
    code: null,
    sortOrder: 0,
    depth: 1,
    headUserId: ZHANG,
    hidden: false,
  },
  breadcrumbs: [{ id: RD, name: '研发中心' }],
  head: { id: ZHANG, displayName: '张三', employeeNo: 'E1002', title: '研发总监' },
  children: [],
  memberCount: 2,
  recursiveMemberCount: 2,
  group: null,
};

function member(id: string, displayName: string, employeeNo: string): DepartmentMemberDto {
  return { id, displayName, employeeNo, title: null, departmentId: RD, primary: true, disabled: false };
}

function hit(id: string, displayName: string, match: SearchHitDto['match']): SearchHitDto {
  return { id, displayName, employeeNo: null, title: null, match, primaryDepartment: { id: FE, name: '前端组' } };
}

function card(id: string, displayName: string, manager: PersonCardDto['manager']): PersonCardDto {
  return {
    id,
    displayName,
    employeeNo: null,
    email: null,
    phone: null,
    title: null,
    departments: [{ departmentId: RD, departmentName: '研发中心', title: null, primary: true }],
    manager,
  };
}

function directoryServer(
  noticeResponse: FakeResponse | (() => FakeResponse) = notice([ZHANG]),
  role: 'member' | 'admin' = 'member',
  locale: 'zh-CN' | 'en' = 'zh-CN',
) {
  return signedInServer({ role, locale })
    .on(NOTICE, typeof noticeResponse === 'function' ? noticeResponse : () => noticeResponse)
    .on('GET /api/directory/departments', { status: 200, body: [RD_NODE] })
    .on(`GET /api/directory/departments/${RD}`, { status: 200, body: RD_PAGE })
    .on(`GET /api/directory/departments/${RD}/members`, {
      status: 200,
      body: { items: [member(ZHANG, '张三', 'E1002'), member(WANG, '王五', 'E1001')], total: 2 },
    })
    .on('GET /api/directory/search', {
      status: 200,
      body: { items: [hit(ZHANG, '张三', 'exact'), hit(ZHAO, '赵思', 'prefix')], hasMore: false },
    })
    .on(`GET /api/directory/people/${ZHANG}`, { status: 200, body: card(ZHANG, '张三', null) })
    .on(`GET /api/directory/people/${WANG}`, {
      status: 200,
      body: card(WANG, '王五', { id: ZHANG, displayName: '张三', employeeNo: 'E1002', title: null }),
    });
}

async function searchOptions() {
  fireEvent.change(await screen.findByRole('combobox', { name: '搜索同事' }), { target: { value: 'zs' } });
  const list = await screen.findByRole('listbox', { name: '搜索结果' });
  const zhang = await within(list).findByRole('option', { name: /张三/ });
  return { zhang, zhao: within(list).getByRole('option', { name: /赵思/ }) };
}

describe('legal-hold marker in the directory', () => {
  it('marks a held person in the search results, with the explanation as the tooltip, and no one else', async () => {
    const server = directoryServer();
    renderApp({ server, path: '/directory' });
    const { zhang, zhao } = await searchOptions();

    const badge = await within(zhang).findByTestId('legal-hold-badge');
    expect(badge).toHaveTextContent(/^法律保全$/);
    expect(badge).toHaveAttribute('title', HOLD_TIP);
    expect(within(zhao).queryByTestId('legal-hold-badge')).not.toBeInTheDocument();
  });

  it("marks held people in a department's head and member list, and not the others", async () => {
    const server = directoryServer();
    renderApp({ server, path: `/directory/departments/${RD}` });
    const members = await screen.findByRole('list', { name: '成员' });
    const zhang = await within(members).findByRole('button', { name: /张三/ });
    const wang = within(members).getByRole('button', { name: /王五/ });

    expect(await within(zhang).findByTestId('legal-hold-badge')).toHaveAttribute('title', HOLD_TIP);
    expect(within(wang).queryByTestId('legal-hold-badge')).not.toBeInTheDocument();
    const head = screen.getByRole('button', { name: /张三\s*法律保全\s*研发总监/ });
    expect(within(head).getByTestId('legal-hold-badge')).toBeInTheDocument();
    // Two lists and the head on screen, one notice request (one shared cache entry).
    expect(server.requestsTo(NOTICE)).toHaveLength(1);
  });

  it("marks a held person's card, and a held manager on someone else's card", async () => {
    renderApp({ server: directoryServer(), path: `/directory/people/${ZHANG}` });
    const held = await screen.findByRole('article', { name: '张三' });
    expect(await within(held).findByTestId('legal-hold-badge')).toHaveAttribute('title', HOLD_TIP);
  });

  it('does not mark a person who is not under hold, only their held manager', async () => {
    renderApp({ server: directoryServer(), path: `/directory/people/${WANG}` });
    const wang = await screen.findByRole('article', { name: '王五' });
    const manager = within(wang).getByRole('button', { name: '张三' });
    const managerRow = manager.closest('dd');
    expect(managerRow).not.toBeNull();
    expect(await within(managerRow as HTMLElement).findByTestId('legal-hold-badge')).toBeInTheDocument();
    expect(within(wang).getAllByTestId('legal-hold-badge')).toHaveLength(1);
    expect(within(wang.querySelector('header') as HTMLElement).queryByTestId('legal-hold-badge')).toBeNull();
  });

  it('reads the notice again when the server says compliance changed, and the marker follows', async () => {
    let held: string[] = [];
    const server = directoryServer(() => notice(held));
    const { latestSocket, queryClient } = renderApp({ server, path: `/directory/departments/${RD}` });
    const members = await screen.findByRole('list', { name: '成员' });
    const wang = await within(members).findByRole('button', { name: /王五/ });
    await waitFor(() => expect(queryClient.getQueryState(complianceNoticeKey)?.status).toBe('success'));
    expect(server.requestsTo(NOTICE)).toHaveLength(1);
    expect(screen.queryByTestId('legal-hold-badge')).not.toBeInTheDocument();

    held = [WANG];
    const socket = latestSocket();
    expect(socket?.listenerCount('compliance:changed')).toBeGreaterThan(0);
    act(() => socket?.fire('compliance:changed', {}));
    expect(await within(wang).findByTestId('legal-hold-badge')).toBeInTheDocument();
    expect(server.requestsTo(NOTICE)).toHaveLength(2);
    expect(within(within(members).getByRole('button', { name: /张三/ })).queryByTestId('legal-hold-badge')).toBeNull();
  });

  it('shows people without markers when the notice is refused or malformed', async () => {
    for (const response of [apiError(500, 'INTERNAL'), notice(['not-a-user-id'])]) {
      const server = directoryServer(response);
      const { unmount, queryClient } = renderApp({ server, path: `/directory/departments/${RD}` });
      const members = await screen.findByRole('list', { name: '成员' });
      expect(await within(members).findByRole('button', { name: /王五/ })).toBeInTheDocument();
      await waitFor(() => expect(queryClient.getQueryState(complianceNoticeKey)?.status).toBe('error'));
      expect(server.requestsTo(NOTICE)).toHaveLength(1);
      expect(screen.queryByTestId('legal-hold-badge')).not.toBeInTheDocument();
      unmount();
    }
  });

  it('uses the English text in English', async () => {
    renderApp({
      server: directoryServer(notice([ZHANG]), 'member', 'en'),
      path: `/directory/people/${ZHANG}`,
      locale: 'en',
    });
    const held = await screen.findByRole('article', { name: '张三' });
    const badge = await within(held).findByTestId('legal-hold-badge');
    expect(badge).toHaveTextContent(/^Legal hold$/);
    expect(badge).toHaveAttribute(
      'title',
      'This person is under legal hold: conversations with them are retained by the organisation and not deleted on schedule.',
    );
  });
});

describe('legal-hold marker in Admin → Organisation', () => {
  it('marks held members in the member table and in the user picker', async () => {
    const zhang = makeUser({ id: ZHANG, login: 'zhang.san', displayName: '张三', role: 'member' });
    const zhao = makeUser({ id: ZHAO, login: 'zhao.si', displayName: '赵思', role: 'member' });
    const server = directoryServer(notice([ZHANG]), 'admin')
      .on('GET /api/admin/directory/groups', { status: 200, body: [] })
      .on('GET /api/admin/directory/settings', { status: 200, body: { showContactInfo: true } })
      .on('GET /api/admin/users', { status: 200, body: { items: [zhang, zhao], total: 2 } });
    renderApp({ server, path: '/admin/org' });
    fireEvent.click(await screen.findByRole('button', { name: /研发中心/ }));

    const heldRow = await screen.findByRole('row', { name: /张三/ });
    expect(await within(heldRow).findByTestId('legal-hold-badge')).toHaveAttribute('title', HOLD_TIP);
    expect(within(screen.getByRole('row', { name: /王五/ })).queryByTestId('legal-hold-badge')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: '添加成员' }));
    const dialog = screen.getByRole('dialog', { name: '添加成员到“研发中心”' });
    const results = within(dialog).getByRole('list', { name: '用户' });
    expect(
      within(await within(results).findByRole('button', { name: /张三/ })).getByTestId('legal-hold-badge'),
    ).toBeInTheDocument();
    expect(within(within(results).getByRole('button', { name: /赵思/ })).queryByTestId('legal-hold-badge')).toBeNull();
  });
});
