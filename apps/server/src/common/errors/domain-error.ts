import { ErrorCode, type ApiErrorDetail } from '@miyu/protocol';

/** An expected failure with a stable code from libs/protocol; mapped to HTTP status and socket acks in one place. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { details?: ApiErrorDetail[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(details: ApiErrorDetail[]) {
    super(ErrorCode.VALIDATION_FAILED, 'The request is not valid.', { details });
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(code: ErrorCode = ErrorCode.UNAUTHENTICATED, message = 'Sign in first.') {
    super(code, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this.') {
    super(ErrorCode.FORBIDDEN, message);
  }
}
