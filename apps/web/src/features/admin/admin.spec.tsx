import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { UserDto } from '@miyu/protocol';
import { renderApp } from '../../test/renderApp';
import { ADMIN_ID, apiError, makeUser, signedInServer } from '../../test/fakeServer';

function member(n: number, overrides: Partial<UserDto> = {}): UserDto {
  return makeUser({
    id: `0190a0a0-0000-7000-8000-${String(100 + n).padStart(12, '0')}`,
    login: `user${n}`,
    displayName: `成员${n}`,
    employeeNo: `E${1000 + n}`,
    email: null,
    role: 'member',
    ...overrides,
  });
}

function directory(count: number) {
  return [makeUser(), ...Array.from({ length: count }, (_, i) => member(i + 1))];
}

function usersServer(all: UserDto[]) {
  return signedInServer().on('GET /api/admin/users', (request) => {
    const q = request.query.get('q')?.toLowerCase() ?? '';
    const limit = Number(request.query.get('limit'));
    const offset = Number(request.query.get('offset'));
    const hits = all.filter((u) => !q || u.login.includes(q) || u.displayName.toLowerCase().includes(q));
    return { status: 200, body: { items: hits.slice(offset, offset + limit), total: hits.length } };
  });
}

describe('admin users', () => {
  it('lists users a page at a time and searches', async () => {
    const server = usersServer(directory(24));
    renderApp({ server, path: '/admin' });

    expect(await screen.findByRole('heading', { name: '用户管理' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: '用户列表' });
    expect(within(table).getAllByRole('row')).toHaveLength(21); // header + 20
    expect(screen.getByText('第 1–20 位，共 25 位')).toBeInTheDocument();
    expect(within(table).getByRole('rowheader', { name: /王小明\s*（你）/ })).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: '下一页' }));
    expect(await screen.findByText('第 21–25 位，共 25 位')).toBeInTheDocument();
    expect(server.requests.at(-1)?.query.get('offset')).toBe('20');
    expect(screen.getByRole('button', { name: '下一页' })).toBeDisabled();

    fireEvent.change(screen.getByRole('searchbox', { name: '搜索用户' }), { target: { value: 'user7' } });
    await waitFor(() => expect(screen.getByText('第 1–1 位，共 1 位')).toBeInTheDocument());
    expect(server.requests.at(-1)?.query.get('q')).toBe('user7');
    expect(server.requests.at(-1)?.query.get('offset')).toBe('0');
  });

  it('creates a user with an initial password and role', async () => {
    const all = directory(1);
    const server = usersServer(all).on('POST /api/admin/users', (request) => {
      const body = request.body as { login: string; displayName: string; role: UserDto['role'] };
      const created = member(9, { login: body.login, displayName: body.displayName, role: body.role });
      all.push(created);
      return { status: 201, body: created };
    });
    renderApp({ server, path: '/admin/users' });

    fireEvent.click(await screen.findByRole('button', { name: '新建用户' }));
    const dialog = screen.getByRole('dialog', { name: '新建用户' });
    fireEvent.change(within(dialog).getByLabelText('账号'), { target: { value: 'han.meimei' } });
    fireEvent.change(within(dialog).getByLabelText('姓名'), { target: { value: '韩梅梅' } });
    fireEvent.change(within(dialog).getByLabelText('初始密码'), { target: { value: 'initial-password' } });
    fireEvent.change(within(dialog).getByLabelText('角色'), { target: { value: 'auditor' } });
    fireEvent.click(within(dialog).getByRole('button', { name: '新建用户' }));

    expect(await screen.findByText('已创建用户 韩梅梅。')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(server.requestsTo('POST /api/admin/users')[0]?.body).toEqual({
      login: 'han.meimei',
      displayName: '韩梅梅',
      password: 'initial-password',
      role: 'auditor',
      locale: 'zh-CN',
    });
    expect(await screen.findByRole('rowheader', { name: /韩梅梅/ })).toBeInTheDocument();
  });

  it('keeps the dialog open and explains a taken login', async () => {
    const server = usersServer(directory(1)).on('POST /api/admin/users', apiError(409, 'USER_LOGIN_TAKEN'));
    renderApp({ server, path: '/admin/users' });
    fireEvent.click(await screen.findByRole('button', { name: '新建用户' }));
    const dialog = screen.getByRole('dialog', { name: '新建用户' });
    fireEvent.change(within(dialog).getByLabelText('账号'), { target: { value: 'user1' } });
    fireEvent.change(within(dialog).getByLabelText('姓名'), { target: { value: 'Dup' } });
    fireEvent.change(within(dialog).getByLabelText('初始密码'), { target: { value: 'initial-password' } });
    fireEvent.click(within(dialog).getByRole('button', { name: '新建用户' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('该账号已被使用。');
  });

  it('changes a role, disables after confirmation, and signs a user out everywhere', async () => {
    const all = directory(1);
    const server = usersServer(all)
      .on(`PATCH /api/admin/users/${all[1]!.id}`, (request) => {
        Object.assign(all[1]!, request.body);
        return { status: 200, body: all[1] };
      })
      .on(`POST /api/admin/users/${all[1]!.id}/sessions/revoke`, { status: 200, body: { revoked: 2 } });
    renderApp({ server, path: '/admin/users' });

    fireEvent.change(await screen.findByRole('combobox', { name: '成员1的角色' }), { target: { value: 'admin' } });
    expect(await screen.findByText('已更新 成员1。')).toBeInTheDocument();
    expect(server.requestsTo(`PATCH /api/admin/users/${all[1]!.id}`)[0]?.body).toEqual({ role: 'admin' });

    fireEvent.click(screen.getByRole('button', { name: '停用 · 成员1' }));
    const confirm = screen.getByRole('dialog', { name: '停用 成员1？' });
    fireEvent.click(within(confirm).getByRole('button', { name: '停用' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(server.requestsTo(`PATCH /api/admin/users/${all[1]!.id}`)[1]?.body).toEqual({ status: 'disabled' });
    expect(await screen.findByRole('button', { name: '启用 · 成员1' })).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: '强制下线 · 成员1' }));
    fireEvent.click(
      within(screen.getByRole('dialog', { name: '让 成员1 强制下线？' })).getByRole('button', { name: '强制下线' }),
    );
    expect(await screen.findByText('已退出 2 个会话。')).toBeInTheDocument();
  });

  it('sets a password for a person (e.g. imported without one)', async () => {
    const all = directory(2);
    const target = all[1]!;
    const server = usersServer(all).on(`POST /api/admin/users/${target.id}/password`, { status: 204, body: null });
    renderApp({ server, path: '/admin' });
    fireEvent.click(await screen.findByRole('button', { name: `设置密码 · ${target.displayName}` }));
    const dialog = await screen.findByRole('dialog', { name: `为 ${target.displayName} 设置密码` });
    const submit = within(dialog).getByRole('button', { name: '设置密码' });
    fireEvent.change(within(dialog).getByLabelText('新密码'), { target: { value: 'short' } });
    expect(submit).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('新密码'), { target: { value: 'a-long-new-password' } });
    fireEvent.click(submit);
    expect(await screen.findByText(`已为 ${target.displayName} 设置密码。`)).toBeInTheDocument();
    expect(server.requestsTo(`POST /api/admin/users/${target.id}/password`)[0]?.body).toEqual({
      password: 'a-long-new-password',
    });
  });

  it('does not let admins disable or demote themselves from the table', async () => {
    renderApp({ server: usersServer(directory(0)), path: '/admin/users' });
    expect(await screen.findByRole('combobox', { name: '王小明的角色' })).toBeDisabled();
    expect(screen.queryByRole('button', { name: '停用 · 王小明' })).not.toBeInTheDocument();
  });

  it('members see no admin entry and get a forbidden page', async () => {
    renderApp({ server: signedInServer({ role: 'member', id: ADMIN_ID }), path: '/admin/users' });
    expect(await screen.findByText('你没有执行此操作的权限。')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: '管理后台' })).not.toBeInTheDocument();
  });
});

describe('admin messaging settings', () => {
  const current = {
    recallWindowMinutes: 1440,
    notificationPreviews: true,
    watermarkEnabled: true,
    watermarkFields: ['name', 'employeeNo'],
    receiptsPolicy: 'enforced',
  };

  it('changes the recall window, notification previews and watermark fields, and refuses bad input', async () => {
    const server = signedInServer()
      .on('GET /api/settings/messaging', { status: 200, body: current })
      .on('PUT /api/admin/settings/messaging', (request) => ({
        status: 200,
        body: { ...current, ...(request.body as object) },
      }));
    renderApp({ server, path: '/admin/messaging' });
    const minutes = await screen.findByLabelText('撤回时限（分钟）');
    expect(minutes).toHaveValue('1440');
    fireEvent.change(minutes, { target: { value: '-5' } });
    expect(screen.getByText('请输入 0 到 43200 之间的整数。')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '保存' })).toBeDisabled();
    fireEvent.change(minutes, { target: { value: '30' } });
    fireEvent.click(screen.getByLabelText(/浏览器通知中显示发送人和消息内容/));
    fireEvent.click(screen.getByLabelText('姓名'));
    fireEvent.click(screen.getByLabelText('工号'));
    expect(screen.getByRole('alert')).toHaveTextContent('水印开启时至少选择一项。');
    fireEvent.click(screen.getByLabelText('日期'));
    fireEvent.click(screen.getByRole('button', { name: '保存' }));
    await waitFor(() =>
      expect(server.requestsTo('PUT /api/admin/settings/messaging')[0]?.body).toEqual({
        recallWindowMinutes: 30,
        notificationPreviews: false,
        receiptsPolicy: 'enforced',
        watermarkEnabled: true,
        watermarkFields: ['date'],
      }),
    );
    expect(await screen.findByText('已保存')).toBeInTheDocument();
  });
});
