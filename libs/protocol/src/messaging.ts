import { z } from 'zod';
import { singleLine } from './common.js';
import { receiptsPolicySchema } from './receipts.js';

/**
 * Conversations and messages (ARCHITECTURE §4). Message content only ever travels as the opaque E2E envelope of
 * libs/crypto (JSON form); the server validates its structure, never its content.
 */
export const MAX_GROUP_MEMBERS = 5000;
export const MAX_SYNC_PAGE = 500;
/**
 * Up to this many members anyone may mention everyone (@all / @所有人); in bigger groups only the owner and
 * admins may. The server enforces it on the `mentionsAll` flag of a send (it cannot read the text).
 */
export const MENTION_ALL_OPEN_MAX_MEMBERS = 50;

export const conversationKindSchema = z.enum(['direct', 'group', 'department']);
export type ConversationKind = z.infer<typeof conversationKindSchema>;
export const memberRoleSchema = z.enum(['owner', 'admin', 'member']);
export type MemberRole = z.infer<typeof memberRoleSchema>;

export const createConversationRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('direct'), userId: z.uuid() }),
  z.strictObject({
    kind: z.literal('group'),
    name: singleLine(1, 100),
    topic: singleLine(0, 500).optional(),
    memberIds: z.array(z.uuid()).max(MAX_GROUP_MEMBERS - 1),
  }),
]);
export type CreateConversationRequest = z.input<typeof createConversationRequestSchema>;

export const addMembersRequestSchema = z.strictObject({
  userIds: z.array(z.uuid()).min(1).max(MAX_GROUP_MEMBERS),
});

/** Owner or admins of a group: rename it or change its topic (at least one field). */
export const updateConversationRequestSchema = z
  .strictObject({ name: singleLine(1, 100).optional(), topic: singleLine(0, 500).optional() })
  .refine((v) => v.name !== undefined || v.topic !== undefined, { message: 'name or topic is required' });
export type UpdateConversationRequest = z.infer<typeof updateConversationRequestSchema>;

/** Owner only: make a member an admin or a member again, or hand the group over (`owner`). */
export const setMemberRoleRequestSchema = z.strictObject({ role: memberRoleSchema });
export type SetMemberRoleRequest = z.infer<typeof setMemberRoleRequestSchema>;

export const conversationSchema = z.object({
  id: z.uuid(),
  kind: conversationKindSchema,
  name: z.string().nullable(),
  topic: z.string().nullable(),
  ownerId: z.uuid().nullable(),
  lastSeq: z.number().int(),
  memberCount: z.number().int(),
  myRole: memberRoleSchema,
  createdAt: z.string(),
  /** The user's read cursor (any of their devices) and the messages from others after it. */
  readSeq: z.number().int(),
  unreadCount: z.number().int(),
});
export type ConversationDto = z.infer<typeof conversationSchema>;

export const conversationMemberSchema = z.object({
  userId: z.uuid(),
  role: memberRoleSchema,
  joinedAt: z.string(),
});
export type ConversationMemberDto = z.infer<typeof conversationMemberSchema>;

/** Server-authored timeline entries: metadata only, never message content. */
export const systemEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('conversation_created'), by: z.uuid() }),
  z.object({ type: z.literal('members_added'), by: z.uuid(), userIds: z.array(z.uuid()) }),
  z.object({ type: z.literal('member_removed'), by: z.uuid(), userId: z.uuid() }),
  z.object({ type: z.literal('member_left'), userId: z.uuid() }),
  /** Department groups: membership follows the org directory. */
  z.object({ type: z.literal('directory_sync'), added: z.array(z.uuid()), removed: z.array(z.uuid()) }),
  /** A member's device list changed: clients show it and re-check safety numbers. */
  z.object({ type: z.literal('device_added'), userId: z.uuid(), deviceId: z.uuid() }),
  z.object({ type: z.literal('device_removed'), userId: z.uuid(), deviceId: z.uuid() }),
  /** A group's name or topic changed (the fields that changed). */
  z.object({
    type: z.literal('conversation_updated'),
    by: z.uuid(),
    name: z.string().optional(),
    topic: z.string().optional(),
  }),
  /** A member's role changed; `by` is null when the server handed ownership over because the owner left. */
  z.object({
    type: z.literal('member_role_changed'),
    by: z.uuid().nullable(),
    userId: z.uuid(),
    role: memberRoleSchema,
  }),
  /** The message at `seq` was recalled: every client hides it. */
  z.object({ type: z.literal('message_recalled'), seq: z.number().int(), by: z.uuid() }),
]);
export type SystemEvent = z.infer<typeof systemEventSchema>;

export interface TimelineMessage {
  conversationId: string;
  seq: number;
  serverTs: string;
  /** null for system events. */
  clientMsgId: string | null;
  senderUserId: string | null;
  senderDeviceId: string | null;
  /** libs/crypto EnvelopeJson for messages; null for system events. */
  envelope: Record<string, unknown> | null;
  system: SystemEvent | null;
  /** Set when the message was recalled; clients show "message recalled" instead of it. */
  recalledAt: string | null;
  /**
   * The sender mentioned everyone and the server allowed it (MENTION_ALL_OPEN_MAX_MEMBERS). Clients notify every
   * member only when this is set, whatever the encrypted text says.
   */
  mentionsAll: boolean;
}

/** Envelopes are validated by libs/crypto's parseEnvelope; this only bounds the shape before that. */
const envelopeJsonSchema = z.record(z.string(), z.union([z.string().max(200_000), z.number()]));

export const messageSendSchema = z.strictObject({
  clientMsgId: z.uuid(),
  conversationId: z.uuid(),
  envelope: envelopeJsonSchema,
  /** The text mentions everyone (@all); refused in big groups unless the sender is an owner or admin. */
  mentionsAll: z.boolean().optional(),
});
export type MessageSend = z.infer<typeof messageSendSchema>;

export interface MessageSendAck {
  seq: number;
  serverTs: string;
}

export const messageRecallSchema = z.strictObject({
  conversationId: z.uuid(),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type MessageRecall = z.infer<typeof messageRecallSchema>;

export const DEFAULT_RECALL_WINDOW_MINUTES = 24 * 60;

/** What the chat watermark may show of the viewer. */
export const watermarkFieldSchema = z.enum(['name', 'employeeNo', 'login', 'date']);
export type WatermarkField = z.infer<typeof watermarkFieldSchema>;

/** Org-wide messaging settings (every member reads them; admins change them). */
export const messagingSettingsSchema = z.strictObject({
  /** How long after sending a sender may recall a message; admins may recall any message at any time. */
  recallWindowMinutes: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 60),
  /** Whether browser notifications may show who wrote what; off: only "new message". */
  notificationPreviews: z.boolean(),
  watermarkEnabled: z.boolean(),
  /** In this order; at least one when the watermark is on. */
  watermarkFields: z.array(watermarkFieldSchema).min(1).max(4),
  /** `enforced`: everyone's reads are shown; `optional`: a person may hide theirs (and then sees nobody's). */
  receiptsPolicy: receiptsPolicySchema,
});
export type MessagingSettings = z.infer<typeof messagingSettingsSchema>;

/** An admin's change: any subset of the settings. */
export const messagingSettingsPatchSchema = messagingSettingsSchema
  .partial()
  .refine((v) => v.watermarkFields === undefined || new Set(v.watermarkFields).size === v.watermarkFields.length, {
    message: 'watermark fields must not repeat',
    path: ['watermarkFields'],
  });
export type MessagingSettingsPatch = z.infer<typeof messagingSettingsPatchSchema>;

export const DEFAULT_MESSAGING_SETTINGS: MessagingSettings = {
  recallWindowMinutes: DEFAULT_RECALL_WINDOW_MINUTES,
  notificationPreviews: true,
  watermarkEnabled: true,
  watermarkFields: ['name', 'employeeNo'],
  receiptsPolicy: 'enforced',
};

export const syncSinceSchema = z.strictObject({
  conversationId: z.uuid(),
  afterSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  limit: z.number().int().min(1).max(MAX_SYNC_PAGE).optional(),
});
export type SyncSince = z.infer<typeof syncSinceSchema>;

export interface SyncPage {
  messages: TimelineMessage[];
  /** The conversation's latest seq: more to fetch while the last returned seq is below it. */
  lastSeq: number;
}

export const syncChangesSchema = z.strictObject({});

export interface SyncChanges {
  /** Every conversation of the user with its latest seq; the client syncs those above its own cursors. */
  conversations: Array<{ id: string; lastSeq: number }>;
}

/** A timeline entry as clients parse it from the server (history pages, sync pages and pushes). */
export const timelineMessageSchema = z.object({
  conversationId: z.uuid(),
  seq: z.number().int(),
  serverTs: z.string(),
  clientMsgId: z.uuid().nullable(),
  senderUserId: z.uuid().nullable(),
  senderDeviceId: z.uuid().nullable(),
  envelope: z.record(z.string(), z.unknown()).nullable(),
  system: systemEventSchema.nullable(),
  recalledAt: z.string().nullable(),
  mentionsAll: z.boolean(),
}) satisfies z.ZodType<TimelineMessage>;

export const historyQuerySchema = z.strictObject({
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
