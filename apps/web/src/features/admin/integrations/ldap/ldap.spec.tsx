import { fireEvent, screen, waitFor } from '@testing-library/react';
import { LDAP_DEFAULT_ATTRIBUTES, type LdapConfigDto, type LdapSyncResult } from '@miyu/protocol';
import { renderApp } from '../../../../test/renderApp';
import { apiError, signedInServer } from '../../../../test/fakeServer';

const CONFIG: LdapConfigDto = {
  configured: true,
  enabled: true,
  flavour: 'openldap',
  url: 'ldap://ldap.example.com',
  tlsVerify: true,
  bindDn: 'cn=miyu,dc=example,dc=com',
  passwordSet: true,
  baseDns: ['dc=example,dc=com'],
  userFilter: '(objectClass=inetOrgPerson)',
  departmentSource: 'ou',
  ouFilter: '(objectClass=organizationalUnit)',
  attributes: LDAP_DEFAULT_ATTRIBUTES.openldap,
  intervalMinutes: 60,
  updatedAt: '2026-11-26T07:00:00.000Z',
  lastSync: null,
};

const PREVIEW: LdapSyncResult = {
  dryRun: true,
  trigger: 'preview',
  startedAt: '2026-11-26T07:00:00.000Z',
  finishedAt: '2026-11-26T07:00:01.000Z',
  entries: 3,
  diff: {
    create: [
      { dn: 'uid=ada,ou=Eng,dc=example,dc=com', login: 'ada', displayName: 'Ada Lovelace', userId: null, changes: [] },
    ],
    update: [
      {
        dn: 'uid=ken,ou=Eng,dc=example,dc=com',
        login: 'ken',
        displayName: 'Ken Thompson',
        userId: '0190d0d0-0000-7000-8000-000000000001',
        changes: [{ field: 'title', before: 'Engineer', after: 'Lead' }],
      },
    ],
    disable: [],
    departments: [{ dn: 'ou=Eng,dc=example,dc=com', name: 'Eng', path: 'Eng' }],
  },
  counts: { created: 1, updated: 1, disabled: 0, departmentsCreated: 1, skipped: 1 },
  errors: [{ dn: 'cn=No Login,dc=example,dc=com', reason: 'missing_login', message: 'the entry has no uid attribute' }],
};

describe('Admin → Integrations → LDAP', () => {
  it('keeps the stored password when saving without one, and previews the diff with the skipped entries', async () => {
    const server = signedInServer({ role: 'admin', locale: 'en' })
      .on('GET /api/admin/ldap', { status: 200, body: CONFIG })
      .on('PUT /api/admin/ldap', (r) => {
        const body = r.body as Partial<LdapConfigDto>;
        return {
          status: 200,
          body: { ...CONFIG, url: body.url, attributes: { ...CONFIG.attributes, ...body.attributes } },
        };
      })
      .on('POST /api/admin/ldap/preview', { status: 200, body: PREVIEW });
    renderApp({ server, path: '/admin/integrations', locale: 'en' });
    const url = await screen.findByLabelText('Server URL');
    expect(url).toHaveValue('ldap://ldap.example.com');
    expect(screen.getByText('A password is stored; leave empty to keep it.')).toBeInTheDocument();
    fireEvent.change(url, { target: { value: 'ldaps://ldap.example.com:636' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('LDAP settings saved.');
    const put = server.requestsTo('PUT /api/admin/ldap')[0]!.body as Record<string, unknown>;
    expect(put.url).toBe('ldaps://ldap.example.com:636');
    expect('bindPassword' in put).toBe(false);

    fireEvent.click(screen.getByRole('button', { name: 'Preview changes' }));
    await screen.findByText(/Preview: 1 to create, 1 to update, 0 to disable/);
    expect(screen.getByText('1 person to create')).toBeInTheDocument();
    expect(screen.getByText(/title Engineer → Lead/)).toBeInTheDocument();
    expect(screen.getByText('cn=No Login,dc=example,dc=com')).toBeInTheDocument();
  });

  it('shows a bind failure in words', async () => {
    const server = signedInServer({ role: 'admin', locale: 'en' })
      .on('GET /api/admin/ldap', { status: 200, body: CONFIG })
      .on('POST /api/admin/ldap/sync', apiError(502, 'LDAP_BIND_FAILED'));
    renderApp({ server, path: '/admin/integrations', locale: 'en' });
    fireEvent.click(await screen.findByRole('button', { name: 'Sync now' }));
    await waitFor(() =>
      expect(screen.getByText('The LDAP server refused the bind DN or password.')).toBeInTheDocument(),
    );
  });
});
