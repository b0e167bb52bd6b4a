import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export const ComplianceError = {
  keyInvalid: (reason: string) =>
    new DomainError(ErrorCode.COMPLIANCE_KEY_INVALID, `The compliance public key file is not valid: ${reason}`, {
      details: [{ path: 'publicKey', message: reason }],
    }),
  keyExists: () => new DomainError(ErrorCode.COMPLIANCE_KEY_EXISTS, 'This compliance key was uploaded before.'),
  keyRequired: () =>
    new DomainError(
      ErrorCode.COMPLIANCE_KEY_REQUIRED,
      'Upload the compliance public key (npm run compliance:keygen) before turning retention on.',
    ),
  scopeNotFound: () => new DomainError(ErrorCode.RETENTION_SCOPE_NOT_FOUND, 'No such retention scope.'),
  scopeInvalid: (path: string, reason: string) =>
    new DomainError(ErrorCode.RETENTION_SCOPE_INVALID, `The retention scope is not valid: ${reason}`, {
      details: [{ path, message: reason }],
    }),
  filterInvalid: (path: string, reason: string) =>
    new DomainError(ErrorCode.VALIDATION_FAILED, `The export filter is not valid: ${reason}`, {
      details: [{ path, message: reason }],
    }),
  policyNotFound: () => new DomainError(ErrorCode.RETENTION_POLICY_NOT_FOUND, 'No such retention policy.'),
  escrowRequired: () =>
    new DomainError(
      ErrorCode.ESCROW_REQUIRED,
      'This conversation is under retention: messages must carry the compliance escrow. Fetch its retention and send again.',
    ),
  escrowNotExpected: () =>
    new DomainError(
      ErrorCode.ESCROW_NOT_EXPECTED,
      'This conversation is not under retention: send without the compliance escrow.',
    ),
};
