import { putLdapConfigRequestSchema } from './ldap.js';

describe('putLdapConfigRequestSchema', () => {
  const base = {
    enabled: true,
    flavour: 'openldap',
    bindDn: 'cn=admin,dc=example,dc=com',
    baseDns: ['dc=example,dc=com'],
  };
  const urlOk = (url: string) => putLdapConfigRequestSchema.safeParse({ ...base, url }).success;

  it('accepts ldap:// and ldaps:// URLs with a host and optional port', () => {
    expect(urlOk('ldap://127.0.0.1:389')).toBe(true);
    expect(urlOk('ldaps://dc1.example.com/')).toBe(true);
    expect(urlOk('ldap://[::1]:389')).toBe(true);
    expect(urlOk('ldap://host:65535')).toBe(true);
  });

  it('refuses what the LDAP client cannot parse, so a sync never fails on the URL itself', () => {
    expect(urlOk('ldaps://A\\/')).toBe(false);
    expect(urlOk('ldap://a\\b')).toBe(false);
    expect(urlOk('ldap://a|b')).toBe(false);
    expect(urlOk('ldaps://[.]:389/')).toBe(false);
    expect(urlOk('ldap://host:73389')).toBe(false);
    expect(urlOk('http://example.com')).toBe(false);
  });
});
