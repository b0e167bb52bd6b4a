import { ErrorCode, WEBHOOK_MAX_BODY_BYTES, WEBHOOK_MAX_CLOCK_SKEW_SECONDS } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export const WebhookError = {
  notFound: () => new DomainError(ErrorCode.WEBHOOK_NOT_FOUND, 'No such webhook.'),
  signatureInvalid: (reason: string) =>
    new DomainError(ErrorCode.WEBHOOK_SIGNATURE_INVALID, `The signature is not valid: ${reason}.`),
  timestampInvalid: (reason: string) =>
    new DomainError(
      ErrorCode.WEBHOOK_TIMESTAMP_INVALID,
      `The X-Miyu-Timestamp header ${reason}; it must be the current time in Unix seconds (±${WEBHOOK_MAX_CLOCK_SKEW_SECONDS} s).`,
    ),
  tooLarge: () =>
    new DomainError(ErrorCode.WEBHOOK_PAYLOAD_TOO_LARGE, `The body is larger than ${WEBHOOK_MAX_BODY_BYTES} bytes.`),
  payloadInvalid: (path: string, message: string) =>
    new DomainError(ErrorCode.WEBHOOK_PAYLOAD_INVALID, 'The body is not a supported webhook payload.', {
      details: [{ path, message }],
    }),
  rateLimited: (retryAfterSeconds: number) =>
    new DomainError(ErrorCode.WEBHOOK_RATE_LIMITED, 'This webhook posted too often; try again later.', {
      retryAfterSeconds,
    }),
  /** The word filter blocked the text: the categories of the rules that matched (not the words). */
  blocked: (categories: string[]) =>
    new DomainError(ErrorCode.WORD_FILTER_BLOCKED, 'The text contains words the organisation does not allow.', {
      details: categories.map((message) => ({ path: 'category', message })),
    }),
};
