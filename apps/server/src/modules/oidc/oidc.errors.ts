import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export class OidcError extends DomainError {
  static notConfigured(): OidcError {
    return new OidcError(ErrorCode.OIDC_NOT_CONFIGURED, 'Single sign-on is not set up or is turned off.');
  }
  static configInvalid(message: string): OidcError {
    return new OidcError(ErrorCode.OIDC_CONFIG_INVALID, message);
  }
  static providerUnavailable(): OidcError {
    return new OidcError(ErrorCode.OIDC_PROVIDER_UNAVAILABLE, 'The identity provider could not be reached.');
  }
  static stateInvalid(): OidcError {
    return new OidcError(
      ErrorCode.OIDC_STATE_INVALID,
      'This sign-in link is unknown, expired, already used or was started in another browser. Start again.',
    );
  }
  static tokenInvalid(why: string): OidcError {
    return new OidcError(ErrorCode.OIDC_TOKEN_INVALID, `The identity provider's answer was refused: ${why}.`);
  }
  static claimMissing(claim: string): OidcError {
    return new OidcError(ErrorCode.OIDC_CLAIM_MISSING, `The identity provider did not send the "${claim}" claim.`);
  }
  static userUnknown(): OidcError {
    return new OidcError(ErrorCode.OIDC_USER_UNKNOWN, 'No Miyu account matches this identity. Ask an admin.');
  }
  static userDisabled(): OidcError {
    return new OidcError(ErrorCode.OIDC_USER_DISABLED, 'This account is disabled.');
  }
}
