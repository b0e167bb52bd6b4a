import { ErrorCode, MENTION_ALL_OPEN_MAX_MEMBERS } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';

export class MessagingError extends DomainError {
  static notFound(): MessagingError {
    // Also for conversations the actor is not in: existence is not revealed.
    return new MessagingError(ErrorCode.CONVERSATION_NOT_FOUND, 'No such conversation.');
  }
  static notMember(): MessagingError {
    return new MessagingError(ErrorCode.CONVERSATION_NOT_MEMBER, 'You are not a member of this conversation.');
  }
  static roleForbidden(): MessagingError {
    return new MessagingError(
      ErrorCode.CONVERSATION_ROLE_FORBIDDEN,
      'Only the group owner can change roles or remove admins; the owner cannot be removed (hand the group over first).',
    );
  }
  static full(max: number): MessagingError {
    return new MessagingError(ErrorCode.CONVERSATION_FULL, `A group has at most ${max} members.`);
  }
  static managed(): MessagingError {
    return new MessagingError(
      ErrorCode.CONVERSATION_MEMBERSHIP_MANAGED,
      'This conversation’s members follow the org directory or a fixed pair; they cannot be changed by hand.',
    );
  }
  static selfDirect(): MessagingError {
    return new MessagingError(ErrorCode.CONVERSATION_SELF_DIRECT, 'A direct conversation needs another person.');
  }
  static envelopeInvalid(reason: string): MessagingError {
    return new MessagingError(ErrorCode.MESSAGE_ENVELOPE_INVALID, `The message envelope is not valid: ${reason}.`);
  }
  static messageNotFound(): MessagingError {
    return new MessagingError(ErrorCode.MESSAGE_NOT_FOUND, 'No such message.');
  }
  static recallWindowPassed(minutes: number): MessagingError {
    return new MessagingError(
      ErrorCode.MESSAGE_RECALL_WINDOW_PASSED,
      `Messages can be recalled within ${minutes} minutes of sending.`,
    );
  }
  static recallForbidden(): MessagingError {
    return new MessagingError(
      ErrorCode.MESSAGE_RECALL_FORBIDDEN,
      'Only the sender or an admin can recall this message.',
    );
  }
  static mentionAllForbidden(): MessagingError {
    return new MessagingError(
      ErrorCode.MESSAGE_MENTION_ALL_FORBIDDEN,
      `In a group of more than ${MENTION_ALL_OPEN_MAX_MEMBERS} members only its owner and admins can mention everyone.`,
    );
  }
  static deviceRequired(): MessagingError {
    return new MessagingError(
      ErrorCode.MESSAGE_DEVICE_REQUIRED,
      'Sending needs a registered device: connect with auth.deviceId.',
    );
  }
}
