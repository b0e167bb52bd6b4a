/**
 * Every error the API can return, by code. The server maps each code to an HTTP status and to socket acks;
 * the web translates codes (never server-provided messages) for the user.
 */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  CSRF_INVALID: 'CSRF_INVALID',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  AUTH_INVALID_CREDENTIALS: 'AUTH_INVALID_CREDENTIALS',
  AUTH_ACCOUNT_LOCKED: 'AUTH_ACCOUNT_LOCKED',
  AUTH_TOTP_REQUIRED: 'AUTH_TOTP_REQUIRED',
  AUTH_TOTP_INVALID: 'AUTH_TOTP_INVALID',
  AUTH_TOTP_NOT_ENROLLED: 'AUTH_TOTP_NOT_ENROLLED',
  AUTH_TOTP_ALREADY_ENABLED: 'AUTH_TOTP_ALREADY_ENABLED',
  AUTH_PASSWORD_INVALID: 'AUTH_PASSWORD_INVALID',
  SETUP_ALREADY_DONE: 'SETUP_ALREADY_DONE',
  SETUP_TOKEN_INVALID: 'SETUP_TOKEN_INVALID',
  USER_LOGIN_TAKEN: 'USER_LOGIN_TAKEN',
  USER_EMPLOYEE_NO_TAKEN: 'USER_EMPLOYEE_NO_TAKEN',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  USER_LAST_ADMIN: 'USER_LAST_ADMIN',
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  SOCKET_UNKNOWN_EVENT: 'SOCKET_UNKNOWN_EVENT',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);

export interface ApiErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Present on VALIDATION_FAILED: which fields were wrong and why. */
    details?: ApiErrorDetail[];
    /** Present on RATE_LIMITED / AUTH_ACCOUNT_LOCKED: seconds until a retry can succeed. */
    retryAfterSeconds?: number;
    requestId?: string;
  };
}

export interface ApiErrorDetail {
  path: string;
  message: string;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
