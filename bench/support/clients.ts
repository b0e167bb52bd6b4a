// Real clients of a bench server: HTTP with the session cookie, the setup admin, accounts created through the
// admin API, signed-in sessions, devices with real libs/crypto keys, socket.io connections, conversations, and
// sealed (sender-key) text messages for `message:send`.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { inBatches } from './batches.js';
import { root } from './paths.js';

export type Crypto = typeof import('@miyu/crypto');

/** The built libs/crypto, ready to use. */
export async function loadCrypto(): Promise<Crypto> {
  const crypto = (await import(pathToFileURL(path.join(root, 'libs/crypto/dist/index.js')).href)) as Crypto;
  await crypto.ready();
  return crypto;
}

/** A random id shaped like a UUIDv7 (version 7, RFC variant), as clients make them. */
export function clientUuid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20)}`;
}

export async function api<T>(
  url: string,
  method: string,
  p: string,
  body?: unknown,
  cookie?: string,
  csrf?: string,
): Promise<{ body: T; cookie: string | undefined }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return { body: (text ? JSON.parse(text) : null) as T, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

export interface HttpSession {
  cookie: string;
  csrf: string;
}

/** The server and an admin session: what creating people needs. */
export interface Bench {
  crypto: Crypto;
  url: string;
  admin: HttpSession;
}

/** Creates the first admin with the setup token and returns the context for creating people. */
export async function setupBench(crypto: Crypto, url: string, setupToken: string): Promise<Bench> {
  const setup = await api<{ csrfToken: string }>(url, 'POST', '/api/setup/admin', {
    token: setupToken,
    login: 'bench-admin',
    displayName: 'Bench',
    password: 'bench-admin-password',
  });
  return { crypto, url, admin: { cookie: setup.cookie!, csrf: setup.body.csrfToken } };
}

export const BENCH_PASSWORD = 'bench-password-1';

export async function createUser(b: Bench, login: string, displayName = login): Promise<string> {
  const user = await api<{ id: string }>(
    b.url,
    'POST',
    '/api/admin/users',
    { login, displayName, password: BENCH_PASSWORD },
    b.admin.cookie,
    b.admin.csrf,
  );
  return user.body.id;
}

export async function login(url: string, loginName: string, password = BENCH_PASSWORD): Promise<HttpSession> {
  const session = await api<{ csrfToken: string }>(url, 'POST', '/api/auth/login', { login: loginName, password });
  return { cookie: session.cookie!, csrf: session.body.csrfToken };
}

/** Registers a device with real key material (no one-time prekeys); returns its id. */
export async function registerDevice(b: Bench, session: HttpSession, userId: string): Promise<string> {
  const deviceId = clientUuid();
  const keys = b.crypto.generateDeviceKeys({ userId, deviceId });
  await api(
    b.url,
    'POST',
    '/api/devices',
    { name: 'bench', bundle: b.crypto.bundleToJson(b.crypto.publicBundle(keys)) },
    session.cookie,
    session.csrf,
  );
  return deviceId;
}

/** A socket.io connection (websocket only, no reconnection) speaking for `deviceId` when given. */
export async function connectSocket(url: string, cookie: string, deviceId?: string): Promise<Socket> {
  const socket = io(url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: { cookie, origin: url },
    auth: deviceId ? { deviceId } : {},
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export interface Client {
  userId: string;
  deviceId: string;
  cookie: string;
  csrf: string;
  socket: Socket;
}

/** A new account, signed in, with one registered device connected. */
export async function newClient(b: Bench, loginName: string): Promise<Client> {
  const userId = await createUser(b, loginName);
  return { userId, ...(await newDevice(b, loginName, userId)) };
}

/** Another signed-in device of an existing account (its own session, device and socket). */
export async function newDevice(b: Bench, loginName: string, userId: string): Promise<Omit<Client, 'userId'>> {
  const session = await login(b.url, loginName);
  const deviceId = await registerDevice(b, session, userId);
  const socket = await connectSocket(b.url, session.cookie, deviceId);
  return { deviceId, cookie: session.cookie, csrf: session.csrf, socket };
}

/** Creates clients for `logins`, `concurrency` at a time. */
export function newClients(b: Bench, logins: readonly string[], concurrency = 20): Promise<Client[]> {
  return inBatches(logins, concurrency, (l) => newClient(b, l));
}

/** A 1:1 conversation with `members[0]`, or a group of `owner` and `members`; returns its id. */
export async function createConversation(
  url: string,
  owner: Pick<Client, 'cookie' | 'csrf'>,
  memberIds: readonly string[],
  kind: 'direct' | 'group',
  name = 'bench',
): Promise<string> {
  const body = kind === 'direct' ? { kind, userId: memberIds[0]! } : { kind, name, memberIds };
  return (await api<{ id: string }>(url, 'POST', '/api/conversations', body, owner.cookie, owner.csrf)).body.id;
}

/** Seals texts for `message:send` under one outbound sender key per (conversation, device), as a client does. */
export function messageSealer(crypto: Crypto) {
  const sessions = new Map<string, ReturnType<Crypto['createOutboundSenderKey']>>();
  return (conversationId: string, c: Pick<Client, 'userId' | 'deviceId'>, body: string) => {
    const key = `${conversationId}/${c.deviceId}`;
    const session =
      sessions.get(key) ??
      crypto.createOutboundSenderKey({ conversationId, senderUserId: c.userId, senderDeviceId: c.deviceId, epoch: 0 });
    const clientMsgId = clientUuid();
    const { session: next, envelope } = crypto.encryptGroupMessage(session, {
      clientMsgId,
      policyVersion: 0,
      content: { type: 'text', body, mentions: [], replyTo: null },
    });
    sessions.set(key, next);
    return { clientMsgId, conversationId, envelope: crypto.envelopeToJson(envelope) };
  };
}
