import { mapClaims } from './oidc-claims.js';
import { loginBase } from './oidc-sign-in.service.js';

const byEmail = { matchBy: 'email', employeeNoClaim: 'employee_number', nameClaim: 'name' } as const;
const byEmployeeNo = { ...byEmail, matchBy: 'employeeNo' } as const;

describe('OIDC claim mapping', () => {
  it('matches by a lower-cased email and takes name and employee number for provisioning', () => {
    expect(mapClaims({ sub: 's', email: ' Li.Si@Example.COM ', name: '李四', employee_number: 1024 }, byEmail)).toEqual(
      {
        matchBy: 'email',
        key: 'li.si@example.com',
        email: 'li.si@example.com',
        employeeNo: '1024',
        displayName: '李四',
      },
    );
  });

  it('refuses a missing, malformed or unverified email', () => {
    expect(() => mapClaims({ sub: 's' }, byEmail)).toThrow(expect.objectContaining({ code: 'OIDC_CLAIM_MISSING' }));
    expect(() => mapClaims({ sub: 's', email: 'not-an-address' }, byEmail)).toThrow(
      expect.objectContaining({ code: 'OIDC_CLAIM_MISSING' }),
    );
    expect(() => mapClaims({ sub: 's', email: 'a@b.c', email_verified: false }, byEmail)).toThrow(
      expect.objectContaining({ code: 'OIDC_CLAIM_MISSING' }),
    );
  });

  it('matches by the configured employee number claim, refusing odd values', () => {
    const custom = { ...byEmployeeNo, employeeNoClaim: 'urn:corp:empid' };
    expect(mapClaims({ sub: 's', 'urn:corp:empid': 'E-7' }, custom)).toMatchObject({ key: 'E-7', email: null });
    for (const bad of [undefined, '', 'x'.repeat(300), 'E\n7', { id: 1 }, 1.5])
      expect(() => mapClaims({ sub: 's', 'urn:corp:empid': bad }, custom)).toThrow(
        expect.objectContaining({ code: 'OIDC_CLAIM_MISSING' }),
      );
  });

  it('derives valid login names for provisioned people', () => {
    expect(loginBase({ email: 'carol.w@example.com', employeeNo: null })).toBe('carol.w');
    expect(loginBase({ email: '.张三+tag@example.com', employeeNo: null })).toBe('tag');
    expect(loginBase({ email: '王@example.com', employeeNo: null })).toBe('user-x');
    expect(loginBase({ email: null, employeeNo: 'E100' })).toBe('emp-e100');
  });
});
