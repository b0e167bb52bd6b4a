import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export class AuthError extends DomainError {
  static invalidCredentials(): AuthError {
    // One message for unknown user, wrong password and disabled account: no account enumeration.
    return new AuthError(ErrorCode.AUTH_INVALID_CREDENTIALS, 'The login name or password is wrong.');
  }
  static locked(retryAfterSeconds: number): AuthError {
    return new AuthError(
      ErrorCode.AUTH_ACCOUNT_LOCKED,
      'Too many failed sign-ins: this account is locked for a while.',
      {
        retryAfterSeconds,
      },
    );
  }
  static rateLimited(retryAfterSeconds: number): AuthError {
    return new AuthError(ErrorCode.RATE_LIMITED, 'Too many sign-in attempts from your address. Try again later.', {
      retryAfterSeconds,
    });
  }
  static totpRequired(): AuthError {
    return new AuthError(ErrorCode.AUTH_TOTP_REQUIRED, 'Enter the code from your authenticator app.');
  }
  static totpInvalid(): AuthError {
    return new AuthError(ErrorCode.AUTH_TOTP_INVALID, 'The two-factor code is wrong or was already used.');
  }
  static totpNotEnrolled(): AuthError {
    return new AuthError(ErrorCode.AUTH_TOTP_NOT_ENROLLED, 'Start two-factor enrolment first.');
  }
  static totpAlreadyEnabled(): AuthError {
    return new AuthError(ErrorCode.AUTH_TOTP_ALREADY_ENABLED, 'Two-factor authentication is already on.');
  }
  static passwordInvalid(): AuthError {
    return new AuthError(ErrorCode.AUTH_PASSWORD_INVALID, 'The current password is wrong.');
  }
  static sessionExpired(): AuthError {
    return new AuthError(ErrorCode.SESSION_EXPIRED, 'Your session has ended. Sign in again.');
  }
  static unauthenticated(): AuthError {
    return new AuthError(ErrorCode.UNAUTHENTICATED, 'Sign in first.');
  }
  static csrf(): AuthError {
    return new AuthError(
      ErrorCode.CSRF_INVALID,
      'The request is missing a valid CSRF token or comes from another site.',
    );
  }
  static passwordSignInDisabled(): AuthError {
    return new AuthError(
      ErrorCode.AUTH_PASSWORD_SIGN_IN_DISABLED,
      'Password sign-in is turned off: use single sign-on.',
    );
  }
  static sessionNotFound(): AuthError {
    return new AuthError(ErrorCode.SESSION_NOT_FOUND, 'No such session.');
  }
}
