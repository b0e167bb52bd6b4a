import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export class AttachmentsError extends DomainError {
  static notFound(): AttachmentsError {
    // Also for attachments of conversations the actor is not in: existence is not revealed.
    return new AttachmentsError(ErrorCode.ATTACHMENT_NOT_FOUND, 'No such attachment.');
  }
  static tooLarge(max: number): AttachmentsError {
    return new AttachmentsError(ErrorCode.ATTACHMENT_TOO_LARGE, `An attachment may have at most ${max} bytes.`);
  }
  static beyondSize(size: number): AttachmentsError {
    return new AttachmentsError(
      ErrorCode.ATTACHMENT_TOO_LARGE,
      `The upload goes beyond the attachment's declared size of ${size} bytes.`,
    );
  }
  static offsetMismatch(expected: number): AttachmentsError {
    return new AttachmentsError(
      ErrorCode.ATTACHMENT_OFFSET_MISMATCH,
      `The upload must continue at offset ${expected} (send Upload-Offset: ${expected}).`,
    );
  }
  static inProgress(): AttachmentsError {
    return new AttachmentsError(
      ErrorCode.ATTACHMENT_UPLOAD_IN_PROGRESS,
      'Another request is uploading this attachment; ask for its offset (HEAD) and retry shortly.',
    );
  }
  static incomplete(): AttachmentsError {
    return new AttachmentsError(ErrorCode.ATTACHMENT_INCOMPLETE, 'This attachment has not been uploaded completely.');
  }
  static digestMismatch(): AttachmentsError {
    return new AttachmentsError(
      ErrorCode.ATTACHMENT_DIGEST_MISMATCH,
      'The uploaded bytes do not match the declared digest; the upload was discarded, start again at offset 0.',
    );
  }
}
