/**
 * Errors that mean "the database cannot be reached right now" rather than "this request is wrong": connection
 * refused or reset, the pool timing out on connect, a connection ended under us, and PostgreSQL's own
 * shutdown/start-up and connection-exception SQLSTATEs (classes 08 and 57P). TypeORM wraps driver errors in
 * QueryFailedError with the original under `driverError`.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is not established',
  // TypeORM, when the connection of a transaction broke under it (QueryRunnerProviderAlreadyReleasedError,
  // QueryRunnerAlreadyReleasedError).
  'Database connection provided by a query runner was already released',
  'Query runner already released',
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 3 || typeof err !== 'object' || err === null) return false;
  const e = err as ErrorLike;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SQLSTATES.has(e.code) || e.code.startsWith('08')))
    return true;
  if (typeof e.message === 'string' && MESSAGES.some((m) => (e.message as string).includes(m))) return true;
  return isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}
