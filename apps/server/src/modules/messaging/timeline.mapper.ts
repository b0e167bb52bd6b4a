import { decodeEnvelope, envelopeToJson } from '@miyu/crypto';
import type { ConversationDto, TimelineMessage } from '@miyu/protocol';
import type { ConversationRow } from './conversations.repository.js';
import type { MessageEntity } from './entities/message.entity.js';

export function toTimelineMessage(m: MessageEntity): TimelineMessage {
  return {
    conversationId: m.conversationId,
    seq: Number(m.seq),
    serverTs: m.serverTs.toISOString(),
    clientMsgId: m.clientMsgId,
    senderUserId: m.senderUserId,
    senderDeviceId: m.senderDeviceId,
    envelope: m.envelope
      ? (envelopeToJson(decodeEnvelope(new Uint8Array(m.envelope))) as unknown as Record<string, unknown>)
      : null,
    system: m.system,
    recalledAt: m.recalledAt ? m.recalledAt.toISOString() : null,
    mentionsAll: m.mentionsAll,
  };
}

export function toConversationDto(row: ConversationRow): ConversationDto {
  const c = row.conversation;
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    topic: c.topic,
    ownerId: c.ownerId,
    lastSeq: Number(c.lastSeq),
    memberCount: row.memberCount,
    myRole: row.myRole,
    createdAt: c.createdAt.toISOString(),
    readSeq: row.readSeq,
    unreadCount: row.unreadCount,
  };
}
