import { NotFoundException } from '@nestjs/common';
import { ErrorCode } from '@miyu/protocol';
import { DomainError, ValidationError } from './domain-error.js';
import { ERROR_STATUS } from './error-status.js';
import { toApiError } from './to-api-error.js';

describe('toApiError', () => {
  it('maps domain errors to their status and code, with details and retry hints', () => {
    const v = toApiError(new ValidationError([{ path: 'login', message: 'required' }]), 'rid');
    expect(v).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_FAILED', requestId: 'rid', details: [{ path: 'login' }] } },
    });
    const locked = toApiError(new DomainError(ErrorCode.AUTH_ACCOUNT_LOCKED, 'locked', { retryAfterSeconds: 60 }));
    expect(locked).toMatchObject({ status: 423, body: { error: { retryAfterSeconds: 60 } }, unexpected: false });
  });

  it('maps body-parser failures and unknown routes without leaking internals', () => {
    expect(toApiError({ type: 'entity.too.large' }).status).toBe(413);
    expect(toApiError({ type: 'entity.parse.failed' }).body.error.code).toBe('MALFORMED_REQUEST');
    expect(toApiError(new NotFoundException()).body.error.code).toBe('NOT_FOUND');
    const boom = toApiError(new Error('password=hunter2 in a stack'));
    expect(boom).toMatchObject({
      status: 500,
      unexpected: true,
      body: { error: { code: 'INTERNAL', message: 'Internal error.' } },
    });
  });

  it('has an HTTP status for every error code', () => {
    for (const code of Object.values(ErrorCode)) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
  });
});
