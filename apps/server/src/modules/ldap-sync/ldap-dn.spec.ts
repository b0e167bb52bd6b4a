import { normaliseDn, parseDn, relativeRdns } from './ldap-dn.js';

describe('LDAP DNs', () => {
  it('splits RDNs and undoes escapes', () => {
    expect(parseDn('cn=Smith\\, John,ou=R\\26D,dc=example,dc=com')).toEqual([
      { type: 'cn', value: 'Smith, John' },
      { type: 'ou', value: 'R&D' },
      { type: 'dc', value: 'example' },
      { type: 'dc', value: 'com' },
    ]);
    expect(parseDn('ou=\\E7\\A0\\94\\E5\\8F\\91,dc=example')).toEqual([
      { type: 'ou', value: '研发' },
      { type: 'dc', value: 'example' },
    ]);
  });

  it('normalises case and spaces, and refuses malformed DNs', () => {
    expect(normaliseDn('UID=Ada, OU=Engineering, DC=Example,DC=com')).toBe('uid=ada,ou=engineering,dc=example,dc=com');
    expect(parseDn('no equals sign')).toBeNull();
    expect(parseDn('=value')).toBeNull();
  });

  it('finds the RDNs below a base DN', () => {
    const dn = parseDn('uid=a,ou=Platform,ou=Engineering,dc=example,dc=com')!;
    expect(relativeRdns(dn, parseDn('DC=example,dc=com')!)?.map((r) => r.value)).toEqual([
      'a',
      'Platform',
      'Engineering',
    ]);
    expect(relativeRdns(dn, parseDn('dc=other,dc=com')!)).toBeNull();
  });
});
