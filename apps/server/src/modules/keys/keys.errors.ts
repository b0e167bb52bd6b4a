import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export class KeysError extends DomainError {
  static deviceNotFound(): KeysError {
    return new KeysError(ErrorCode.DEVICE_NOT_FOUND, 'No such device.');
  }
  static alreadyRegistered(): KeysError {
    return new KeysError(ErrorCode.DEVICE_ALREADY_REGISTERED, 'A device with this id is already registered.');
  }
  static bundleInvalid(reason: string): KeysError {
    return new KeysError(ErrorCode.DEVICE_BUNDLE_INVALID, `The key bundle is not valid: ${reason}.`);
  }
  static identityMismatch(): KeysError {
    return new KeysError(ErrorCode.DEVICE_IDENTITY_MISMATCH, 'The key bundle belongs to another user.');
  }
  static prekeysFull(max: number): KeysError {
    return new KeysError(ErrorCode.DEVICE_PREKEYS_FULL, `A device may publish at most ${max} one-time prekeys.`);
  }
  static deviceLimit(max: number): KeysError {
    return new KeysError(ErrorCode.DEVICE_LIMIT_REACHED, `A user may have at most ${max} devices. Remove one first.`);
  }
}
