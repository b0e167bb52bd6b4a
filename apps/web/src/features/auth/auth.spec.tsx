import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderApp } from '../../test/renderApp';
import {
  FakeServer,
  OTHER_SESSION_ID,
  SESSION_ID,
  apiError,
  makeAuthState,
  signedInServer,
  signedOutServer,
} from '../../test/fakeServer';
import { readSetupToken } from './containers/SetupScreen';

function fill(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('first-run setup', () => {
  function freshServer() {
    return new FakeServer()
      .on('GET /api/setup/status', { status: 200, body: { needsSetup: true } })
      .on('GET /api/auth/session', apiError(401, 'UNAUTHENTICATED'))
      .on('POST /api/setup/admin', { status: 201, body: makeAuthState() });
  }

  it('reads the token from the setup link fragment', () => {
    expect(readSetupToken('#token=abc123')).toBe('abc123');
    expect(readSetupToken('')).toBeNull();
    expect(readSetupToken('#other=1')).toBeNull();
  });

  it('sends a fresh install to setup, creates the admin and signs in', async () => {
    const server = freshServer();
    renderApp({ server, path: '/chats' });

    expect(await screen.findByRole('heading', { name: '初始化密语' })).toBeInTheDocument();
    fill('设置令牌', 'the-token');
    fill('账号', 'Admin');
    fill('姓名', '王小明');
    fill('密码', 'correct horse battery');
    fill('确认密码', 'correct horse battery');
    fireEvent.click(screen.getByRole('button', { name: '创建管理员并登录' }));

    expect(await screen.findByRole('navigation', { name: '主导航' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: '消息' })).toBeInTheDocument();
    const [request] = server.requestsTo('POST /api/setup/admin');
    expect(request?.body).toEqual({
      token: 'the-token',
      login: 'Admin',
      displayName: '王小明',
      password: 'correct horse battery',
    });
    expect(request?.headers['x-csrf-token']).toBeUndefined();
  });

  it('prefills the token from the link and checks the form before sending', async () => {
    const server = freshServer();
    renderApp({ server, path: '/setup#token=from-link' });

    expect(await screen.findByLabelText('设置令牌')).toHaveValue('from-link');
    expect(screen.getByText('已从设置链接中读取令牌。')).toBeInTheDocument();
    fill('账号', '-bad');
    fill('密码', 'short');
    fill('确认密码', 'other');
    fireEvent.click(screen.getByRole('button', { name: '创建管理员并登录' }));

    expect(await screen.findByText(/账号须为 2–64 位/)).toBeInTheDocument();
    expect(screen.getByText('请填写姓名。')).toBeInTheDocument();
    expect(screen.getByText('密码至少需要 10 个字符。')).toBeInTheDocument();
    expect(screen.getByText('两次输入的密码不一致。')).toBeInTheDocument();
    expect(server.requestsTo('POST /api/setup/admin')).toHaveLength(0);
  });

  it('shows a wrong token as a translated error', async () => {
    const server = freshServer().on('POST /api/setup/admin', apiError(403, 'SETUP_TOKEN_INVALID'));
    renderApp({ server, path: '/setup' });
    await screen.findByLabelText('设置令牌');
    fill('设置令牌', 'nope');
    fill('账号', 'admin');
    fill('姓名', 'Admin');
    fill('密码', 'correct horse battery');
    fill('确认密码', 'correct horse battery');
    fireEvent.click(screen.getByRole('button', { name: '创建管理员并登录' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('设置令牌无效');
    expect(screen.queryByText(/server text/)).not.toBeInTheDocument();
  });
});

describe('sign-in', () => {
  async function submitPassword(login = 'admin', password = 'secret-password') {
    await screen.findByLabelText('账号');
    fill('账号', login);
    fill('密码', password);
    fireEvent.click(screen.getByRole('button', { name: '登录' }));
  }

  it('sends signed-out visitors to sign-in and signs them in', async () => {
    const server = signedOutServer().on('POST /api/auth/login', { status: 200, body: makeAuthState() });
    renderApp({ server, path: '/settings/profile' });

    expect(await screen.findByRole('heading', { name: '登录密语' })).toBeInTheDocument();
    fill('账号', 'admin');
    fill('密码', 'secret-password');
    fireEvent.click(screen.getByRole('button', { name: '登录' }));

    // Back to where the visitor was headed.
    expect(await screen.findByRole('heading', { name: '个人资料' })).toBeInTheDocument();
    expect(server.requestsTo('POST /api/auth/login')[0]?.body).toEqual({ login: 'admin', password: 'secret-password' });
  });

  it('shows wrong credentials and lockouts by code, with the wait time', async () => {
    let answer = apiError(401, 'AUTH_INVALID_CREDENTIALS');
    const server = signedOutServer().on('POST /api/auth/login', () => answer);
    renderApp({ server, path: '/login' });

    await submitPassword();
    expect(await screen.findByRole('alert')).toHaveTextContent('账号或密码不正确。');

    answer = apiError(423, 'AUTH_ACCOUNT_LOCKED', { retryAfterSeconds: 90 });
    fireEvent.click(screen.getByRole('button', { name: '登录' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('请在 2 分钟后重试。'));
  });

  it('asks for the second factor, and accepts a recovery code instead', async () => {
    const server = signedOutServer().on('POST /api/auth/login', (request) => {
      const body = request.body as Record<string, string>;
      if (body['recoveryCode'] === 'abcde-12345') return { status: 200, body: makeAuthState({ totpEnabled: true }) };
      if (body['totpCode']) return apiError(401, 'AUTH_TOTP_INVALID');
      return apiError(401, 'AUTH_TOTP_REQUIRED');
    });
    renderApp({ server, path: '/login' });

    await submitPassword();
    expect(await screen.findByRole('heading', { name: '两步验证' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    fill('验证码', '12a34');
    fireEvent.click(screen.getByRole('button', { name: '验证并登录' }));
    expect(await screen.findByText('验证码为 6 位数字。')).toBeInTheDocument();

    fill('验证码', '123456');
    fireEvent.click(screen.getByRole('button', { name: '验证并登录' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('验证码或恢复码不正确。');
    expect(server.requestsTo('POST /api/auth/login')[1]?.body).toEqual({
      login: 'admin',
      password: 'secret-password',
      totpCode: '123456',
    });

    fireEvent.click(screen.getByRole('button', { name: '改用恢复码' }));
    fill('恢复码', 'ABCDE-12345');
    fireEvent.click(screen.getByRole('button', { name: '验证并登录' }));
    expect(await screen.findByRole('navigation', { name: '主导航' })).toBeInTheDocument();
    expect(server.requestsTo('POST /api/auth/login')[2]?.body).toEqual({
      login: 'admin',
      password: 'secret-password',
      recoveryCode: 'abcde-12345',
    });
  });

  it('switches the sign-in page to English and remembers it on this browser', async () => {
    renderApp({ server: signedOutServer(), path: '/login' });
    fireEvent.change(await screen.findByRole('combobox', { name: /Language/ }), { target: { value: 'en' } });
    expect(await screen.findByRole('heading', { name: 'Sign in to Miyu' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('en');
    expect(window.localStorage.getItem('miyu.locale')).toBe('en');
  });

  it('tells the user when the server cannot be reached', async () => {
    const server = new FakeServer().on('GET /api/setup/status', apiError(502, 'BAD_GATEWAY'));
    renderApp({ server, path: '/' });
    const alert = await screen.findByRole('alert', {}, { timeout: 4000 });
    expect(within(alert).getByText('无法连接到密语服务器')).toBeInTheDocument();
    expect(within(alert).getByText('未知错误（BAD_GATEWAY）')).toBeInTheDocument();
  });
});

describe('signed-in session', () => {
  it('signs out through the user menu', async () => {
    const server = signedInServer().on('POST /api/auth/logout', { status: 204 });
    renderApp({ server, path: '/chats' });

    fireEvent.click(await screen.findByRole('button', { name: '当前账号：王小明' }));
    fireEvent.click(screen.getByRole('button', { name: '退出登录' }));

    expect(await screen.findByRole('heading', { name: '登录密语' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('你已退出登录。');
    expect(server.requestsTo('POST /api/auth/logout')[0]?.headers['x-csrf-token']).toBe('csrf-token-1');
  });

  it('opens the socket after sign-in and drops to sign-in when this session is revoked', async () => {
    const view = renderApp({ server: signedInServer(), path: '/chats' });
    await screen.findByRole('navigation', { name: '主导航' });
    const socket = view.latestSocket();
    expect(socket?.connectCalls).toBe(1);

    // Another session of the same user: nothing happens here.
    act(() => socket?.fire('session:revoked', { sessionId: OTHER_SESSION_ID, reason: 'revoked' }));
    expect(screen.getByRole('navigation', { name: '主导航' })).toBeInTheDocument();

    act(() => socket?.fire('session:revoked', { sessionId: SESSION_ID, reason: 'revoked' }));
    expect(await screen.findByRole('heading', { name: '登录密语' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('你的登录已在其他设备上被退出');
    expect(socket?.disconnectCalls).toBeGreaterThan(0);
  });

  it('drops to sign-in when the socket handshake says the session expired', async () => {
    const view = renderApp({ server: signedInServer(), path: '/chats' });
    await screen.findByRole('navigation', { name: '主导航' });
    act(() => view.latestSocket()?.fire('connect_error', new Error('SESSION_EXPIRED')));
    expect(await screen.findByRole('heading', { name: '登录密语' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('登录已过期，请重新登录。');
  });

  it('ignores socket network errors', async () => {
    const view = renderApp({ server: signedInServer(), path: '/chats' });
    await screen.findByRole('navigation', { name: '主导航' });
    act(() => view.latestSocket()?.fire('connect_error', new Error('xhr poll error')));
    expect(screen.getByRole('navigation', { name: '主导航' })).toBeInTheDocument();
  });

  it('drops to sign-in when an API call finds the session gone', async () => {
    const server = signedInServer().on('GET /api/auth/sessions', apiError(401, 'SESSION_EXPIRED'));
    renderApp({ server, path: '/settings/sessions' });
    expect(await screen.findByRole('heading', { name: '登录密语' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('登录已过期');
  });

  it('uses the language saved on the account', async () => {
    renderApp({ server: signedInServer({ locale: 'en' }), path: '/chats' });
    expect(await screen.findByRole('navigation', { name: 'Main navigation' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Directory' })).toBeInTheDocument();
  });
});
