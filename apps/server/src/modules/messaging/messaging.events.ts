import type { MessageEntity } from './entities/message.entity.js';

/** Emitted after commit: the gateway pushes the entries to every member's sockets (all server processes). */
export const TIMELINE_APPENDED_EVENT = 'messaging.timeline.appended';

export interface TimelineAppendedEvent {
  conversationId: string;
  messages: MessageEntity[];
  /** Active members after the change (plus removed ones, so they learn of their removal). */
  recipientUserIds: string[];
  /**
   * Per message (same order), the socket that sent it, which has it already (its ack carries the seq): the push
   * skips it. The sender's other devices still get it.
   */
  originSocketIds?: ReadonlyArray<string | null>;
}

/** Membership changed: the messaging layer on clients turns this into sender-key rotation (ARCHITECTURE §5). */
export const MEMBERSHIP_CHANGED_EVENT = 'messaging.membership.changed';

export interface MembershipChangedEvent {
  conversationId: string;
  added: string[];
  removed: string[];
}
