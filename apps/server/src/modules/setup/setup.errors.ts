import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export class SetupError extends DomainError {
  static alreadyDone(): SetupError {
    return new SetupError(ErrorCode.SETUP_ALREADY_DONE, 'Setup is complete: an admin already exists.');
  }
  static tokenInvalid(): SetupError {
    return new SetupError(
      ErrorCode.SETUP_TOKEN_INVALID,
      'The setup link is invalid or has expired. Restart the server for a new one.',
    );
  }
}
