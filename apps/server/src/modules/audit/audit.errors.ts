import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export const AuditError = {
  notFound: () => new DomainError(ErrorCode.AUDIT_ENTRY_NOT_FOUND, 'No such audit entry (or it was purged).'),
  outOfRange: (detail: string) => new DomainError(ErrorCode.AUDIT_RANGE_INVALID, `The range is not valid: ${detail}.`),
};
