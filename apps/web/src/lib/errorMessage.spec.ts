import { ERROR_CODES } from '@miyu/protocol';
import { createI18n } from '../i18n';
import { ApiError } from './apiClient';
import { errorMessage } from './errorMessage';

describe('errorMessage', () => {
  const zh = createI18n('zh-CN');
  const en = createI18n('en');

  it('translates by code and never shows the server text', () => {
    const error = new ApiError({ status: 401, code: 'AUTH_INVALID_CREDENTIALS', message: 'bad password for bob' });
    expect(errorMessage(zh, error)).toBe('账号或密码不正确。');
    expect(errorMessage(en, error)).toBe('Wrong account name or password.');
  });

  it('falls back to "unknown error (code)"', () => {
    const error = new ApiError({ status: 418, code: 'TEAPOT_BREWING', message: 'I am a teapot' });
    expect(errorMessage(zh, error)).toBe('未知错误（TEAPOT_BREWING）');
    expect(errorMessage(en, error)).toBe('Unknown error (TEAPOT_BREWING)');
    expect(errorMessage(en, new Error('boom'))).toBe('Unknown error (Error)');
  });

  it('says when to retry', () => {
    const locked = new ApiError({ status: 423, code: 'AUTH_ACCOUNT_LOCKED', message: '', retryAfterSeconds: 300 });
    expect(errorMessage(zh, locked)).toBe('登录失败次数过多，账号已被暂时锁定。 请在 5 分钟后重试。');
    const limited = new ApiError({ status: 429, code: 'RATE_LIMITED', message: '', retryAfterSeconds: 1 });
    expect(errorMessage(en, limited)).toBe('Too many attempts. Try again in 1 second.');
  });

  it('names the invalid fields in the user language', () => {
    const error = new ApiError({
      status: 400,
      code: 'VALIDATION_FAILED',
      message: '',
      details: [
        { path: 'body.password', message: 'Too small' },
        { path: 'password', message: 'again' },
        { path: 'email', message: 'Invalid email' },
        { path: 'mystery', message: '?' },
      ],
    });
    expect(errorMessage(zh, error)).toContain('请检查：密码、邮箱、mystery');
  });

  it('has a translation for every protocol error code in both languages', () => {
    for (const code of ERROR_CODES) {
      expect(zh.exists(`errors.${code}`)).toBe(true);
      expect(en.getResource('en', 'translation', `errors.${code}`)).toEqual(expect.any(String));
    }
  });
});
