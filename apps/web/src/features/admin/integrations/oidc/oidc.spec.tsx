import { fireEvent, screen, within } from '@testing-library/react';
import type { OidcConfig } from '@miyu/protocol';
import { renderApp } from '../../../../test/renderApp';
import { apiError, signedInServer } from '../../../../test/fakeServer';

const CONFIG: OidcConfig = {
  enabled: true,
  issuerUrl: 'https://sso.example.com/realms/corp',
  clientId: 'miyu',
  clientSecretSet: true,
  scopes: ['openid', 'email', 'profile'],
  matchBy: 'email',
  employeeNoClaim: 'employee_number',
  nameClaim: 'name',
  jitProvisioning: false,
  buttonLabel: 'Corp SSO',
  passwordSignInDisabled: false,
  redirectUri: 'https://chat.example.com/api/auth/oidc/callback',
  updatedAt: '2026-11-26T07:00:00.000Z',
};

async function card() {
  const title = await screen.findByRole('heading', { name: 'OpenID Connect sign-in' });
  return within(title.closest('section')!);
}

describe('Admin → Integrations → OpenID Connect sign-in', () => {
  it('shows the redirect URI, keeps the stored secret when saving without one, and turns password sign-in off', async () => {
    const server = signedInServer({ role: 'admin', locale: 'en' })
      .on('GET /api/admin/oidc', { status: 200, body: CONFIG })
      .on('PUT /api/admin/oidc', (r) => ({
        status: 200,
        body: { ...CONFIG, ...(r.body as object), clientSecretSet: true },
      }));
    renderApp({ server, path: '/admin/integrations', locale: 'en' });
    const oidc = await card();
    expect(oidc.getByText(/https:\/\/chat\.example\.com\/api\/auth\/oidc\/callback/)).toBeInTheDocument();
    expect(oidc.getByLabelText('Issuer URL')).toHaveValue('https://sso.example.com/realms/corp');
    expect(oidc.getByText('A secret is stored; leave empty to keep it.')).toBeInTheDocument();
    fireEvent.click(oidc.getByLabelText('Turn password sign-in off for members and auditors'));
    fireEvent.change(oidc.getByLabelText('Scopes'), { target: { value: 'openid email  employee' } });
    fireEvent.click(oidc.getByRole('button', { name: 'Save sign-in settings' }));
    await screen.findByText('Sign-in settings saved.');
    const put = server.requestsTo('PUT /api/admin/oidc')[0]!.body as Record<string, unknown>;
    expect('clientSecret' in put).toBe(false);
    expect(put).toMatchObject({ passwordSignInDisabled: true, scopes: ['openid', 'email', 'employee'] });
  });

  it('checks the form before sending and shows server errors in words', async () => {
    const server = signedInServer({ role: 'admin', locale: 'en' })
      .on('GET /api/admin/oidc', { status: 200, body: { ...CONFIG, clientSecretSet: false } })
      .on('PUT /api/admin/oidc', apiError(400, 'OIDC_CONFIG_INVALID'));
    renderApp({ server, path: '/admin/integrations', locale: 'en' });
    const oidc = await card();
    fireEvent.click(oidc.getByRole('button', { name: 'Save sign-in settings' }));
    expect(await oidc.findByText('Enter the client secret.')).toBeInTheDocument();
    fireEvent.change(oidc.getByLabelText('Scopes'), { target: { value: 'email' } });
    fireEvent.click(oidc.getByRole('button', { name: 'Save sign-in settings' }));
    expect(await oidc.findByText('Check this value.')).toBeInTheDocument();
    expect(server.requestsTo('PUT /api/admin/oidc')).toHaveLength(0);

    fireEvent.change(oidc.getByLabelText('Scopes'), { target: { value: 'openid email' } });
    fireEvent.change(oidc.getByLabelText('Client secret'), { target: { value: 'new-secret' } });
    fireEvent.click(oidc.getByRole('button', { name: 'Save sign-in settings' }));
    expect(await oidc.findByText('This single sign-on configuration is not valid.')).toBeInTheDocument();
    expect((server.requestsTo('PUT /api/admin/oidc')[0]!.body as Record<string, unknown>).clientSecret).toBe(
      'new-secret',
    );
  });
});
