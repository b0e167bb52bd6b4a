import { ErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export const WordPolicyError = {
  ruleInvalid: (reason: string) =>
    new DomainError(ErrorCode.FILTER_RULE_INVALID, `The rule is not valid: ${reason}`, {
      details: [{ path: 'pattern', message: reason }],
    }),
  ruleExists: () => new DomainError(ErrorCode.FILTER_RULE_EXISTS, 'This word or pattern is already a rule.'),
  ruleNotFound: () => new DomainError(ErrorCode.FILTER_RULE_NOT_FOUND, 'No such rule.'),
  stale: (current: number) =>
    new DomainError(
      ErrorCode.WORD_POLICY_STALE,
      `The message was checked under an older content policy; fetch version ${current} and check again.`,
    ),
  /** Names the field and the words that matched (the person who wrote them sees them; nothing is logged). */
  blocked: (field: string, words: string[]) =>
    new DomainError(ErrorCode.WORD_FILTER_BLOCKED, `The ${field} contains words the organisation does not allow.`, {
      details: words.map((message) => ({ path: field, message })),
    }),
  hitUnknown: (what: string) =>
    new DomainError(ErrorCode.VALIDATION_FAILED, 'The hit report is not valid.', {
      details: [{ path: 'hits', message: what }],
    }),
};
