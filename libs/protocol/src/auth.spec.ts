import { createUserRequestSchema, loginNameSchema, loginRequestSchema, PASSWORD_MIN_LENGTH } from './auth.js';
import { ErrorCode, isErrorCode } from './errors.js';

describe('auth schemas', () => {
  it('normalises login names to lower case and rejects odd characters', () => {
    expect(loginNameSchema.parse('  Zhang.San ')).toBe('zhang.san');
    expect(loginNameSchema.safeParse('张三').success).toBe(false);
    expect(loginNameSchema.safeParse('-dash').success).toBe(false);
  });

  it('enforces the password policy on new users', () => {
    const base = { login: 'li', displayName: '李四' };
    expect(createUserRequestSchema.safeParse({ ...base, password: 'x'.repeat(PASSWORD_MIN_LENGTH - 1) }).success).toBe(
      false,
    );
    expect(createUserRequestSchema.safeParse({ ...base, password: 'x'.repeat(PASSWORD_MIN_LENGTH) }).success).toBe(
      true,
    );
  });

  it('rejects unknown login fields and control characters in names', () => {
    expect(loginRequestSchema.safeParse({ login: 'a', password: 'b', admin: true }).success).toBe(false);
    expect(
      createUserRequestSchema.safeParse({ login: 'li', displayName: 'a\u0000b', password: 'x'.repeat(12) }).success,
    ).toBe(false);
  });

  it('knows its error codes', () => {
    expect(isErrorCode(ErrorCode.CSRF_INVALID)).toBe(true);
    expect(isErrorCode('NOPE')).toBe(false);
  });
});
