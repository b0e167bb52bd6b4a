import { screen, waitFor } from '@testing-library/react';
import { renderApp } from '../../test/renderApp';
import { signedOutServer } from '../../test/fakeServer';

const ssoOnly = { password: false, oidc: { label: 'Corp SSO', startUrl: '/api/auth/oidc/start' } };
const both = { password: true, oidc: { label: 'Corp SSO', startUrl: '/api/auth/oidc/start' } };

describe('single sign-on on the login screen', () => {
  it('offers "Sign in with <label>" next to the password form when both are on', async () => {
    const server = signedOutServer().on('GET /api/auth/methods', { status: 200, body: both });
    renderApp({ server, path: '/login' });

    const sso = await screen.findByRole('link', { name: '使用Corp SSO登录' });
    expect(sso).toHaveAttribute('href', '/api/auth/oidc/start');
    expect(screen.getByLabelText('密码')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '登录' })).toBeInTheDocument();
  });

  it('hides the password form when password sign-in is off', async () => {
    const server = signedOutServer().on('GET /api/auth/methods', { status: 200, body: ssoOnly });
    renderApp({ server, path: '/login' });

    expect(await screen.findByRole('link', { name: '使用Corp SSO登录' })).toBeInTheDocument();
    expect(screen.queryByLabelText('密码')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: '登录' })).not.toBeInTheDocument();
    expect(screen.getByText('你的组织已关闭密码登录。')).toBeInTheDocument();
  });

  it('still shows the password form at /login?password, the admins’ break-glass way in', async () => {
    const server = signedOutServer().on('GET /api/auth/methods', { status: 200, body: ssoOnly });
    renderApp({ server, path: '/login?password' });

    expect(await screen.findByRole('link', { name: '使用Corp SSO登录' })).toBeInTheDocument();
    expect(screen.getByLabelText('密码')).toBeInTheDocument();
  });

  it('shows no single sign-on button when it is off, and the password form when methods cannot be read', async () => {
    const off = signedOutServer().on('GET /api/auth/methods', { status: 200, body: { password: true, oidc: null } });
    const { unmount } = renderApp({ server: off, path: '/login' });
    expect(await screen.findByLabelText('密码')).toBeInTheDocument();
    await waitFor(() => expect(off.requestsTo('GET /api/auth/methods')).toHaveLength(1));
    expect(screen.queryByRole('link', { name: /Corp SSO/ })).not.toBeInTheDocument();
    unmount();

    // An older server without the endpoint (404): the password form as before.
    renderApp({ server: signedOutServer(), path: '/login' });
    expect(await screen.findByLabelText('密码')).toBeInTheDocument();
  });

  it('explains a failed single sign-on sent back to /login?oidcError=<code>', async () => {
    const server = signedOutServer().on('GET /api/auth/methods', { status: 200, body: ssoOnly });
    renderApp({ server, path: '/login?oidcError=OIDC_USER_UNKNOWN' });

    expect(await screen.findByRole('alert')).toHaveTextContent('没有与你的身份对应的密语账号，请联系管理员。');
  });
});
