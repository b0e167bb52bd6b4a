import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { ErrorCode } from '@miyu/protocol';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { toApiError } from './to-api-error.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED')],
    ['connection reset', withCode('ECONNRESET')],
    ['admin shutdown (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['connection exception class 08', withCode('08006')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['connection ended', new Error('Connection terminated unexpectedly')],
    ['transaction connection broke', new QueryRunnerProviderAlreadyReleasedError()],
    ['transaction runner released after its connection broke', new QueryRunnerAlreadyReleasedError()],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], withCode('57P01'))],
    ['as a cause', new Error('outer', { cause: withCode('ECONNREFUSED') })],
  ])('%s: yes', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['unique violation', new QueryFailedError('INSERT', [], withCode('23505'))],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s: no', (_name, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it('maps to 503 SERVICE_UNAVAILABLE, an expected error, not INTERNAL', () => {
    const mapped = toApiError(withCode('57P01'));
    expect(mapped.status).toBe(503);
    expect(mapped.body.error.code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect(mapped.unexpected).toBe(false);
    expect(toApiError(new TypeError('bug')).body.error.code).toBe(ErrorCode.INTERNAL);
  });
});
