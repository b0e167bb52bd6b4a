import {
  bundleToJson,
  createOutboundSenderKey,
  encryptGroupMessage,
  envelopeToJson,
  generateDeviceKeys,
  generateOneTimePrekeys,
  publicBundle,
} from '@miyu/crypto';
import type { Ack, ConversationDto, MessageSend, MessageSendAck, TimelineMessage, UserDto } from '@miyu/protocol';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from './http-client.js';
import { type ClientSocket, connected, connectSocket } from './socket-client.js';

/** The password every test person gets: `<login>-password-1`. */
export const passwordOf = (login: string): string => `${login}-password-1`;

/** Creates an account through the admin API (the caller is a signed-in admin). */
export async function createUser(admin: TestClient, login: string, displayName = login): Promise<UserDto> {
  const res = await admin.request<UserDto>('POST', '/api/admin/users', {
    login,
    displayName,
    password: passwordOf(login),
  });
  if (res.status !== 201) throw new Error(`creating ${login}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Registers a device with real libs/crypto keys (and `prekeys` one-time prekeys); returns its id. */
export async function registerDevice(http: TestClient, userId: string, prekeys = 2): Promise<string> {
  const deviceId = uuidv7();
  const { keys, prekeys: otks } = generateOneTimePrekeys(generateDeviceKeys({ userId, deviceId }), prekeys);
  const res = await http.request('POST', '/api/devices', {
    name: 'test',
    bundle: bundleToJson(publicBundle(keys, otks)),
  });
  if (res.status !== 201) throw new Error(`registering a device: ${res.status} ${JSON.stringify(res.body)}`);
  return deviceId;
}

export interface Person {
  user: UserDto;
  http: TestClient;
  deviceId: string;
  socket: ClientSocket;
  /** Every `message:new` this device's socket received, in order. */
  received: TimelineMessage[];
}

/** An account, signed in, with one registered device connected over socket.io and recording what it receives. */
export async function createPerson(baseUrl: string, admin: TestClient, login: string): Promise<Person> {
  const user = await createUser(admin, login);
  const http = new TestClient(baseUrl);
  await http.login(login, passwordOf(login));
  const deviceId = await registerDevice(http, user.id);
  const socket = connectSocket(baseUrl, http.cookie!, baseUrl, deviceId);
  const received: TimelineMessage[] = [];
  socket.on('message:new', (m) => received.push(m));
  await connected(socket);
  return { user, http, deviceId, socket, received };
}

/**
 * A real (structurally valid, signed) E2E text message of the person's device, under a one-off sender key, ready
 * for `message:send`: for tests of server rules that never need the message decrypted. Built once, it can be resent
 * with the same clientMsgId.
 */
export function buildTestMessage(
  p: Person,
  conversationId: string,
  body: string,
  extra: { mentionsAll?: boolean; policyVersion?: number } = {},
): MessageSend {
  const clientMsgId = uuidv7();
  const session = createOutboundSenderKey({
    conversationId,
    senderUserId: p.user.id,
    senderDeviceId: p.deviceId,
    epoch: 1,
  });
  const { envelope } = encryptGroupMessage(session, {
    clientMsgId,
    policyVersion: extra.policyVersion ?? 0,
    content: { type: 'text', body, mentions: [], replyTo: null },
  });
  return {
    clientMsgId,
    conversationId,
    envelope: envelopeToJson(envelope) as unknown as Record<string, string | number>,
    ...(extra.mentionsAll === undefined ? {} : { mentionsAll: extra.mentionsAll }),
  };
}

/** Sends `buildTestMessage(…)` over the person's socket; returns the server's ack. */
export async function sendTestMessage(
  p: Person,
  conversationId: string,
  body: string,
  extra: { mentionsAll?: boolean; policyVersion?: number } = {},
): Promise<Ack<MessageSendAck>> {
  return (await p.socket
    .timeout(10_000)
    .emitWithAck('message:send', buildTestMessage(p, conversationId, body, extra))) as Ack<MessageSendAck>;
}

/** Creates an account with the auditor role and returns its signed-in client. */
export async function createAuditor(baseUrl: string, admin: TestClient, login = 'auditor'): Promise<TestClient> {
  const user = await createUser(admin, login);
  const res = await admin.request('PATCH', `/api/admin/users/${user.id}`, { role: 'auditor' });
  if (res.status !== 200) throw new Error(`making ${login} an auditor: ${res.status} ${JSON.stringify(res.body)}`);
  const http = new TestClient(baseUrl);
  await http.login(login, passwordOf(login));
  return http;
}

/** A group created by `owner` (a signed-in client) with these other members. */
export async function createGroup(owner: TestClient, name: string, memberIds: string[]): Promise<ConversationDto> {
  const res = await owner.request<ConversationDto>('POST', '/api/conversations', { kind: 'group', name, memberIds });
  if (res.status !== 201) throw new Error(`creating group ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
