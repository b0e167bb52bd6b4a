import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderApp } from '../../test/renderApp';
import { OTHER_SESSION_ID, SESSION_ID, apiError, makeUser, signedInServer } from '../../test/fakeServer';
import { summarizeUserAgent } from '../../lib/userAgent';
import { groupSecret } from './components/TotpEnrollment';

jest.mock('qrcode', () => ({
  __esModule: true,
  default: { toDataURL: jest.fn(() => Promise.resolve('data:image/png;base64,QR')) },
}));

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';

function sessions() {
  return [
    {
      id: OTHER_SESSION_ID,
      createdAt: '2026-11-20T01:00:00.000Z',
      lastSeenAt: '2026-11-24T01:00:00.000Z',
      expiresAt: '2026-12-04T01:00:00.000Z',
      ip: '10.0.0.8',
      userAgent: SAFARI_IPHONE,
      current: false,
    },
    {
      id: SESSION_ID,
      createdAt: '2026-11-25T01:00:00.000Z',
      lastSeenAt: '2026-11-25T02:00:00.000Z',
      expiresAt: '2026-12-09T01:00:00.000Z',
      ip: '127.0.0.1',
      userAgent: CHROME_LINUX,
      current: true,
    },
  ];
}

describe('helpers', () => {
  it('names devices from their user agent', () => {
    expect(summarizeUserAgent(CHROME_LINUX)).toEqual({ browser: 'Chrome', os: 'Linux' });
    expect(summarizeUserAgent(SAFARI_IPHONE)).toEqual({ browser: 'Safari', os: 'iOS' });
    expect(summarizeUserAgent(null)).toEqual({ browser: null, os: null });
  });

  it('groups the TOTP secret for reading', () => {
    expect(groupSecret('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
  });
});

describe('sessions page', () => {
  it('lists the sessions with the current one first and signs out the others', async () => {
    let list = sessions();
    const server = signedInServer()
      .on('GET /api/auth/sessions', () => ({ status: 200, body: list }))
      .on('POST /api/auth/sessions/revoke-others', () => {
        list = list.filter((s) => s.current);
        return { status: 200, body: { revoked: 1 } };
      });
    renderApp({ server, path: '/settings/sessions' });

    const items = within(await screen.findByRole('list', { name: '登录会话' })).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('Linux 上的 Chrome');
    expect(items[0]).toHaveTextContent('当前设备');
    expect(items[1]).toHaveTextContent('iOS 上的 Safari');
    expect(items[1]).toHaveTextContent('IP 10.0.0.8');

    fireEvent.click(screen.getByRole('button', { name: '退出其他所有设备' }));
    expect(await screen.findByText('已退出 1 个其他会话。')).toBeInTheDocument();
    await waitFor(() =>
      expect(within(screen.getByRole('list', { name: '登录会话' })).getAllByRole('listitem')).toHaveLength(1),
    );
    expect(screen.getByText('没有其他设备登录你的账号。')).toBeInTheDocument();
    expect(server.requestsTo('POST /api/auth/sessions/revoke-others')[0]?.headers['x-csrf-token']).toBe('csrf-token-1');
  });

  it('signs out a single other session', async () => {
    const server = signedInServer()
      .on('GET /api/auth/sessions', { status: 200, body: sessions() })
      .on(`DELETE /api/auth/sessions/${OTHER_SESSION_ID}`, { status: 204 });
    renderApp({ server, path: '/settings/sessions' });
    fireEvent.click(await screen.findByRole('button', { name: '退出 · iOS 上的 Safari' }));
    await waitFor(() => expect(server.requestsTo(`DELETE /api/auth/sessions/${OTHER_SESSION_ID}`)).toHaveLength(1));
  });
});

describe('profile', () => {
  it('offers hiding read receipts only when the org makes them optional', async () => {
    const settings = (policy: string) => ({
      recallWindowMinutes: 1440,
      notificationPreviews: true,
      watermarkEnabled: true,
      watermarkFields: ['name'],
      receiptsPolicy: policy,
    });
    const server = signedInServer()
      .on('GET /api/settings/messaging', { status: 200, body: settings('optional') })
      .on('GET /api/me/read-receipts', { status: 200, body: { hideReadReceipts: false } })
      .on('PUT /api/me/read-receipts', (request) => ({ status: 200, body: request.body }));
    renderApp({ server, path: '/settings/profile' });
    const box = await screen.findByRole('checkbox', { name: '不向别人显示我的已读状态' });
    expect(box).not.toBeChecked();
    fireEvent.click(box);
    await waitFor(() => expect(box).toBeChecked());
    expect(server.requestsTo('PUT /api/me/read-receipts')[0]?.body).toEqual({ hideReadReceipts: true });
  });

  it('does not offer it while receipts are enforced', async () => {
    const server = signedInServer().on('GET /api/settings/messaging', {
      status: 200,
      body: {
        recallWindowMinutes: 1440,
        notificationPreviews: true,
        watermarkEnabled: true,
        watermarkFields: ['name'],
        receiptsPolicy: 'enforced',
      },
    });
    renderApp({ server, path: '/settings/profile' });
    expect(await screen.findByRole('heading', { name: '个人资料' })).toBeInTheDocument();
    await waitFor(() => expect(server.requestsTo('GET /api/settings/messaging')).toHaveLength(1));
    expect(screen.queryByRole('checkbox', { name: '不向别人显示我的已读状态' })).not.toBeInTheDocument();
  });

  it('saves the display name', async () => {
    const server = signedInServer().on('PATCH /api/auth/profile', (request) => ({
      status: 200,
      body: makeUser({ displayName: (request.body as { displayName: string }).displayName }),
    }));
    renderApp({ server, path: '/settings/profile' });
    fireEvent.change(await screen.findByLabelText('姓名'), { target: { value: '王大明' } });
    fireEvent.click(screen.getByRole('button', { name: '保存' }));
    expect(await screen.findByText('个人资料已保存。')).toBeInTheDocument();
    expect(server.requestsTo('PATCH /api/auth/profile')[0]?.body).toEqual({ displayName: '王大明' });
    expect(screen.getAllByText('王大明').length).toBeGreaterThan(0);
  });

  it('switches the language and saves it to the account', async () => {
    const server = signedInServer().on('PATCH /api/auth/profile', { status: 200, body: makeUser({ locale: 'en' }) });
    renderApp({ server, path: '/settings/profile' });
    await screen.findByRole('heading', { name: '个人资料' });
    const [topBarSelect] = screen.getAllByRole('combobox', { name: '语言 (Language)' });
    fireEvent.change(topBarSelect!, { target: { value: 'en' } });
    expect(await screen.findByRole('heading', { name: 'Profile' })).toBeInTheDocument();
    expect(server.requestsTo('PATCH /api/auth/profile')[0]?.body).toEqual({ locale: 'en' });
  });

  it('goes back to the previous language when saving it fails', async () => {
    const server = signedInServer().on('PATCH /api/auth/profile', apiError(500, 'INTERNAL'));
    renderApp({ server, path: '/settings/profile' });
    await screen.findByRole('heading', { name: '个人资料' });
    fireEvent.change(screen.getAllByRole('combobox', { name: '语言 (Language)' })[0]!, { target: { value: 'en' } });
    expect(await screen.findAllByText('服务器出现错误，请稍后重试。')).not.toHaveLength(0);
    expect(screen.getByRole('heading', { name: '个人资料' })).toBeInTheDocument();
  });
});

describe('security', () => {
  it('changes the password and reports a wrong current password by code', async () => {
    let answer = apiError(400, 'AUTH_PASSWORD_INVALID');
    const server = signedInServer().on('POST /api/auth/password', () => answer);
    renderApp({ server, path: '/settings/security' });

    fireEvent.change(await screen.findByLabelText('当前密码'), { target: { value: 'old-password' } });
    fireEvent.change(screen.getByLabelText('新密码'), { target: { value: 'new-password-123' } });
    fireEvent.change(screen.getByLabelText('确认新密码'), { target: { value: 'new-password-123' } });
    fireEvent.click(screen.getByRole('button', { name: '修改密码' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('当前密码不正确。');

    answer = { status: 204 };
    fireEvent.click(screen.getByRole('button', { name: '修改密码' }));
    expect(await screen.findByText('密码已修改，其他设备上的登录已退出。')).toBeInTheDocument();
    expect(screen.getByLabelText('当前密码')).toHaveValue('');
    expect(server.requestsTo('POST /api/auth/password')[1]?.body).toEqual({
      currentPassword: 'old-password',
      newPassword: 'new-password-123',
    });
  });

  it('enrols TOTP: QR and secret, confirm with a code, recovery codes shown once', async () => {
    const server = signedInServer()
      .on('POST /api/auth/totp/enroll', {
        status: 200,
        body: { secret: 'JBSWY3DPEHPK3PXP', otpauthUrl: 'otpauth://totp/Miyu:admin?secret=JBSWY3DPEHPK3PXP' },
      })
      .on('POST /api/auth/totp/confirm', { status: 200, body: { recoveryCodes: ['abcde-12345', 'fghij-67890'] } });
    renderApp({ server, path: '/settings/security' });

    fireEvent.click(await screen.findByRole('button', { name: '启用两步验证' }));
    expect(await screen.findByRole('img', { name: '两步验证设置二维码' })).toHaveAttribute(
      'src',
      'data:image/png;base64,QR',
    );
    expect(screen.getByText('JBSW Y3DP EHPK 3PXP')).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText('输入应用中显示的 6 位验证码'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: '确认启用' }));

    const codes = await screen.findByRole('list', { name: '恢复码' });
    expect(
      within(codes)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['abcde-12345', 'fghij-67890']);
    expect(server.requestsTo('POST /api/auth/totp/confirm')[0]?.body).toEqual({ code: '123456' });
    const done = screen.getByRole('button', { name: '完成' });
    expect(done).toBeDisabled();
    fireEvent.click(screen.getByLabelText('我已妥善保存这些恢复码'));
    fireEvent.click(done);

    expect(await screen.findByText('两步验证已启用。')).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: '恢复码' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: '停用两步验证' })).toBeInTheDocument();
  });

  it('disables TOTP with the password', async () => {
    const server = signedInServer({ totpEnabled: true }).on('POST /api/auth/totp/disable', { status: 204 });
    renderApp({ server, path: '/settings/security' });
    const form = (await screen.findByRole('button', { name: '停用两步验证' })).closest('form')!;
    fireEvent.change(within(form).getByLabelText('密码'), { target: { value: 'my-password' } });
    fireEvent.click(within(form).getByRole('button', { name: '停用两步验证' }));
    expect(await screen.findByText('两步验证已停用。')).toBeInTheDocument();
    expect(server.requestsTo('POST /api/auth/totp/disable')[0]?.body).toEqual({ password: 'my-password' });
    expect(screen.getByRole('button', { name: '启用两步验证' })).toBeInTheDocument();
  });
});
