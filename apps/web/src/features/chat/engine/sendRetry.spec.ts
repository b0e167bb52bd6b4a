import { autoRetryDelayMs, isTransientSendError } from './sendRetry';

describe('send retry policy', () => {
  it('retries a database outage and a rate limit by itself, with a growing pause up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => autoRetryDelayMs('SERVICE_UNAVAILABLE', n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(autoRetryDelayMs('RATE_LIMITED', 1)).toBe(1_000);
  });

  it('leaves network failures to the reconnect, and refusals to the user', () => {
    expect(autoRetryDelayMs('NETWORK', 1)).toBeNull();
    for (const code of ['FORBIDDEN', 'VALIDATION_FAILED', 'CONTENT_BLOCKED', 'INTERNAL'])
      expect(autoRetryDelayMs(code, 1)).toBeNull();
  });

  it('resends transient failures on reconnect', () => {
    expect(['NETWORK', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED'].every(isTransientSendError)).toBe(true);
    expect(isTransientSendError('FORBIDDEN')).toBe(false);
    expect(isTransientSendError(null)).toBe(false);
  });
});
