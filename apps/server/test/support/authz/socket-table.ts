import { randomBytes } from 'node:crypto';
import { type Ack, type ClientEventName, ErrorCode, type ToDeviceSendAck } from '@miyu/protocol';
import { buildTestMessage, type Person } from '../people.js';
import { isDeviceHolder, type PrincipalName, type World } from './world.js';

export interface SocketCallContext {
  w: World;
  p: PrincipalName;
  allowed: boolean;
}

export interface SocketRow {
  event: ClientEventName;
  allow: readonly PrincipalName[];
  /** Refusal codes of the service (ack `{ ok: false, error: { code } }`) beyond FORBIDDEN. */
  denyCodes?: readonly string[];
  payload(ctx: SocketCallContext): unknown;
  /** For events that refuse part of a request inside a successful ack. */
  judge?(ack: Ack<unknown>, ctx: SocketCallContext): 'allowed' | 'denied' | null;
}

/** Principals whose handshake succeeds: a live session and a device of their own. */
const CONNECTED = ['owner', 'member', 'nonMember', 'admin', 'auditor'] as const;
const G_MEMBERS = ['owner', 'member'] as const;
const NOT_IN_G = [ErrorCode.CONVERSATION_NOT_FOUND];

/** Every client event of libs/protocol `clientEventSchemas`, who may send it, and a valid payload. */
export const SOCKET_ROWS: SocketRow[] = [
  { event: 'system:ping', allow: CONNECTED, payload: () => ({ nonce: 'matrix' }) },
  {
    event: 'message:send',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    payload: async ({ w, p }) => {
      const sender = { user: w.userOf(p)!, deviceId: w.deviceOf(p).id } as Person;
      return buildTestMessage(sender, w.group.id, 'matrix', { policyVersion: await w.policyVersion() });
    },
  },
  {
    // The sender within the recall window, or an org admin at any time (even outside the conversation).
    event: 'message:recall',
    allow: ['member', 'admin'],
    denyCodes: [...NOT_IN_G, ErrorCode.MESSAGE_RECALL_FORBIDDEN],
    payload: async ({ w, allowed }) => ({
      conversationId: w.group.id,
      seq: allowed ? await w.freshMessage() : w.memberSeq,
    }),
  },
  {
    event: 'sync:since',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    payload: ({ w }) => ({ conversationId: w.group.id, afterSeq: 0 }),
  },
  { event: 'sync:changes', allow: CONNECTED, payload: () => ({}) },
  {
    // Only to devices of people one shares a conversation with (or one's own): the rest come back as refused.
    event: 'todevice:send',
    allow: G_MEMBERS,
    payload: ({ w }) => ({
      messages: [{ deviceId: w.devices.member.id, payload: randomBytes(32).toString('base64url') }],
    }),
    judge: (ack, { w }) => {
      if (!ack.ok) return null;
      const data = ack.data as ToDeviceSendAck;
      if (data.stored === 1 && data.refused.length === 0) return 'allowed';
      if (data.stored === 0 && data.refused.includes(w.devices.member.id)) return 'denied';
      return null;
    },
  },
  // Inbox fetch and ack act on the socket's own device (its handshake proved it): nobody names another's.
  { event: 'todevice:fetch', allow: CONNECTED, payload: () => ({}) },
  { event: 'todevice:ack', allow: CONNECTED, payload: () => ({ upToId: 1 }) },
  {
    event: 'typing:update',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    payload: ({ w }) => ({ conversationId: w.group.id, typing: true }),
  },
  // Presence is org-wide: anyone signed in may ask whether a colleague is online.
  { event: 'presence:query', allow: CONNECTED, payload: ({ w }) => ({ userIds: [w.parties.member.user.id] }) },
  {
    event: 'receipt:read',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    payload: ({ w }) => ({ conversationId: w.group.id, seq: w.memberSeq }),
  },
  {
    event: 'receipt:delivered',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    payload: ({ w }) => ({ conversationId: w.group.id, seq: w.memberSeq }),
  },
];

/** Why a principal's socket never connects, as the handshake says it. */
export function expectedHandshakeRefusal(p: PrincipalName): readonly string[] | null {
  if (isDeviceHolder(p)) return null;
  if (p === 'otherDevice') return [ErrorCode.DEVICE_NOT_FOUND];
  return [ErrorCode.UNAUTHENTICATED, ErrorCode.SESSION_EXPIRED];
}
