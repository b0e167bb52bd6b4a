import { HttpException } from '@nestjs/common';
import { ErrorCode, type ApiErrorBody } from '@miyu/protocol';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { DomainError } from './domain-error.js';
import { statusFor } from './error-status.js';

export interface MappedError {
  status: number;
  body: ApiErrorBody;
  /** Unexpected errors are logged with their stack; expected ones are not. */
  unexpected: boolean;
}

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Turns anything thrown into the wire error shape shared by HTTP responses and socket acks. */
export function toApiError(err: unknown, requestId?: string): MappedError {
  const withId = (body: ApiErrorBody['error']): ApiErrorBody => ({ error: requestId ? { ...body, requestId } : body });
  if (err instanceof DomainError) {
    return {
      status: statusFor(err.code),
      body: withId({ code: err.code, message: err.message, ...err.extra }),
      unexpected: false,
    };
  }
  const parserType = (err as BodyParserError | null)?.type;
  if (parserType === 'entity.too.large') {
    return {
      status: 413,
      body: withId({ code: ErrorCode.PAYLOAD_TOO_LARGE, message: 'The request body is too large.' }),
      unexpected: false,
    };
  }
  if (
    parserType === 'entity.parse.failed' ||
    parserType === 'encoding.unsupported' ||
    parserType === 'charset.unsupported'
  ) {
    return {
      status: 400,
      body: withId({ code: ErrorCode.MALFORMED_REQUEST, message: 'The request body is not valid JSON.' }),
      unexpected: false,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code =
      status === 404
        ? ErrorCode.NOT_FOUND
        : status === 413
          ? ErrorCode.PAYLOAD_TOO_LARGE
          : status === 429
            ? ErrorCode.RATE_LIMITED
            : status === 401
              ? ErrorCode.UNAUTHENTICATED
              : status === 403
                ? ErrorCode.FORBIDDEN
                : status < 500
                  ? ErrorCode.MALFORMED_REQUEST
                  : ErrorCode.INTERNAL;
    const message = status === 404 ? 'Not found.' : status < 500 ? err.message : 'Internal error.';
    return { status, body: withId({ code, message }), unexpected: status >= 500 };
  }
  if (isDatabaseUnavailable(err)) {
    return {
      status: 503,
      body: withId({
        code: ErrorCode.SERVICE_UNAVAILABLE,
        message: 'The database is unavailable for a moment. Try again shortly.',
        retryAfterSeconds: 2,
      }),
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: withId({ code: ErrorCode.INTERNAL, message: 'Internal error.' }),
    unexpected: true,
  };
}
