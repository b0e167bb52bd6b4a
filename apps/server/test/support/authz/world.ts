import { randomBytes } from 'node:crypto';
import { bundleToJson, type DeviceKeys, generateDeviceKeys, generateOneTimePrekeys, publicBundle } from '@miyu/crypto';
import type {
  Ack,
  AttachmentDto,
  AuthState,
  ConversationDto,
  CreatedApiToken,
  CreatedWebhook,
  MessageSendAck,
  UserDto,
  WordPolicyResponse,
} from '@miyu/protocol';
import { io } from 'socket.io-client';
import { uuidv7 } from '../../../src/common/security/uuid.js';
import { TestClient } from '../http-client.js';
import { buildTestMessage, createAuditor, createUser, passwordOf, type Person } from '../people.js';
import { type ClientSocket, connected } from '../socket-client.js';

/**
 * Who calls, in the authorisation matrix. `member`, `owner` and `otherDevice` are in the group G; `otherDevice` is a
 * signed-in member of G who names the member's device (and the member's own resources) instead of their own;
 * `disabled` is an auditor and member of G whom an admin disabled (their old cookie), `disabledToken` that person's
 * personal API token; `serviceToken` is an admin's service token with every service scope, `auditorToken` the
 * auditor's personal token (compliance:export, audit:read).
 */
export const PRINCIPALS = [
  'anonymous',
  'owner',
  'member',
  'nonMember',
  'admin',
  'auditor',
  'disabled',
  'disabledToken',
  'otherDevice',
  'serviceToken',
  'auditorToken',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

/** Principals that hold a live session of their own. */
export type SessionPrincipal = 'owner' | 'member' | 'nonMember' | 'admin' | 'auditor' | 'otherDevice';
/** Session principals with a registered device of their own (otherDevice borrows the member's). */
export type DeviceHolder = 'owner' | 'member' | 'nonMember' | 'admin' | 'auditor';

const SESSION_PRINCIPALS: readonly SessionPrincipal[] = [
  'owner',
  'member',
  'nonMember',
  'admin',
  'auditor',
  'otherDevice',
];
const DEVICE_HOLDERS: readonly DeviceHolder[] = ['owner', 'member', 'nonMember', 'admin', 'auditor'];

export function isSessionPrincipal(p: PrincipalName): p is SessionPrincipal {
  return (SESSION_PRINCIPALS as readonly string[]).includes(p);
}

export function isDeviceHolder(p: PrincipalName): p is DeviceHolder {
  return (DEVICE_HOLDERS as readonly string[]).includes(p);
}

interface Party {
  login: string;
  user: UserDto;
  http: TestClient;
}

interface Device {
  id: string;
  keys: DeviceKeys;
}

/** What a principal sends: a session cookie with its CSRF token, or a bearer token, or nothing. */
export interface Credentials {
  cookie: string | null;
  csrfToken: string | null;
  bearer: string | null;
}

/**
 * The people, credentials and resources of the matrix, built once through the public API, plus factories for the
 * fresh resources that destructive calls consume (so one call never spoils the next).
 */
export class World {
  readonly parties = {} as Record<SessionPrincipal | 'disabled', Party>;
  readonly devices = {} as Record<DeviceHolder, Device>;
  readonly credentials = {} as Record<PrincipalName, Credentials>;
  group!: ConversationDto;
  /** A message the member sent in G, an attachment the member uploaded to G, a webhook of G, a word-filter rule. */
  memberSeq = 0;
  attachmentId = '';
  hookId = '';
  rule = { id: '', version: 0 };
  /** A user other tests log in as (POST /api/auth/login). */
  loginTarget!: UserDto;
  disabledDeviceId = '';
  private memberSocket!: ClientSocket;
  private readonly shared = new Map<string, Promise<string>>();

  private constructor(
    readonly url: string,
    readonly admin: TestClient,
  ) {}

  static async build(url: string, admin: TestClient): Promise<World> {
    const w = new World(url, admin);
    const adminState = (await admin.request<AuthState>('GET', '/api/auth/session')).body;
    w.parties.admin = { login: 'admin', user: adminState.user, http: admin };
    for (const [p, login] of [
      ['owner', 'owner'],
      ['member', 'member'],
      ['nonMember', 'outsider'],
      ['otherDevice', 'other'],
    ] as const) {
      w.parties[p] = await w.signedIn(login, await createUser(admin, login));
    }
    const auditor = await createAuditor(url, admin, 'auditor');
    w.parties.auditor = { login: 'auditor', user: auditor.state!.user, http: auditor };
    const dora = await createAuditor(url, admin, 'dora');
    w.parties.disabled = { login: 'dora', user: dora.state!.user, http: dora };
    w.loginTarget = await createUser(admin, 'login-target');

    for (const p of SESSION_PRINCIPALS) {
      const http = w.parties[p].http;
      w.credentials[p] = { cookie: http.cookie, csrfToken: http.csrfToken, bearer: null };
    }
    for (const p of DEVICE_HOLDERS) w.devices[p] = await w.registerDevice(p);
    w.disabledDeviceId = (await w.registerDeviceFor(w.parties.disabled)).id;

    w.group = await w.expectOk<ConversationDto>(w.parties.owner.http, 'POST', '/api/conversations', {
      kind: 'group',
      name: 'G',
      memberIds: [w.parties.member.user.id, w.parties.otherDevice.user.id, w.parties.disabled.user.id],
    });
    w.memberSocket = w.connect('member');
    await connected(w.memberSocket);
    w.memberSeq = await w.freshMessage();
    w.attachmentId = await w.uploadedAttachment();
    w.hookId = await w.freshHook();
    const rule = await w.expectOk<{ id: string; version: number }>(admin, 'POST', '/api/admin/word-policy/rules', {
      type: 'word',
      pattern: 'matrixword',
      category: 'test',
      action: 'flag',
    });
    w.rule = { id: rule.id, version: rule.version };

    const serviceToken = await w.expectOk<CreatedApiToken>(admin, 'POST', '/api/admin/service-tokens', {
      name: 'matrix service',
      scopes: ['directory:read', 'bot:post', 'scim:provision', 'audit:read'],
      expiresInDays: 30,
    });
    const auditorToken = await w.personalToken(w.parties.auditor);
    const doraToken = await w.personalToken(w.parties.disabled);
    const doraCookie = { cookie: dora.cookie, csrfToken: dora.csrfToken, bearer: null };
    // Both worked until the account was disabled: the matrix then shows what disabling took away.
    await w.expectOk(dora, 'GET', '/api/auth/session');
    const byToken = await new TestClient(url).request('GET', '/api/audit/checkpoint', undefined, {
      authorization: `Bearer ${doraToken}`,
    });
    if (byToken.status !== 200) throw new Error(`the auditor's token before disabling: ${byToken.status}`);
    await w.expectOk(admin, 'PATCH', `/api/admin/users/${w.parties.disabled.user.id}`, { status: 'disabled' });

    w.credentials.anonymous = { cookie: null, csrfToken: null, bearer: null };
    w.credentials.disabled = doraCookie;
    w.credentials.disabledToken = { cookie: null, csrfToken: null, bearer: doraToken };
    w.credentials.serviceToken = { cookie: null, csrfToken: null, bearer: serviceToken.token };
    w.credentials.auditorToken = { cookie: null, csrfToken: null, bearer: auditorToken };
    return w;
  }

  close(): void {
    this.memberSocket?.disconnect();
  }

  /** The user a principal acts as (a token acts as its owner), or null for anonymous. */
  userOf(p: PrincipalName): UserDto | null {
    switch (p) {
      case 'anonymous':
        return null;
      case 'disabledToken':
        return this.parties.disabled.user;
      case 'serviceToken':
        return this.parties.admin.user;
      case 'auditorToken':
        return this.parties.auditor.user;
      default:
        return this.parties[p].user;
    }
  }

  /** The device a principal names as its own: otherDevice names the member's; principals without one, too. */
  deviceOf(p: PrincipalName): Device {
    return isDeviceHolder(p) ? this.devices[p] : this.devices.member;
  }

  /** A client that sends the principal's credentials; `fresh` signs a session principal in again first. */
  async clientFor(p: PrincipalName, fresh = false): Promise<{ client: TestClient; headers: Record<string, string> }> {
    const client = new TestClient(this.url);
    if (fresh && isSessionPrincipal(p)) return { client: (await this.freshSession(p)).client, headers: {} };
    const c = this.credentials[p];
    client.cookie = c.cookie;
    client.csrfToken = c.csrfToken;
    return { client, headers: c.bearer ? { authorization: `Bearer ${c.bearer}` } : {} };
  }

  /** A socket as the principal would open it: its cookie and device (bearer principals try their token). */
  connect(p: PrincipalName): ClientSocket {
    const c = this.credentials[p];
    const headers: Record<string, string> = { origin: this.url };
    if (c.cookie) headers.cookie = c.cookie;
    if (c.bearer) headers.authorization = `Bearer ${c.bearer}`;
    const deviceId = p === 'disabled' ? this.disabledDeviceId : this.deviceOf(p).id;
    return io(this.url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: headers,
      auth: { deviceId },
      reconnection: false,
      forceNew: true,
    }) as ClientSocket;
  }

  /** Connects, or returns the handshake's refusal code (socket.io's own connect timeout bounds the wait). */
  async tryConnect(p: PrincipalName): Promise<{ socket: ClientSocket } | { refused: string }> {
    const socket = this.connect(p);
    const refused = await new Promise<string | null>((resolve) => {
      socket.once('connect', () => resolve(null));
      socket.once('connect_error', (err) => resolve(err.message));
    });
    if (refused === null) return { socket };
    socket.disconnect();
    return { refused };
  }

  /** A new session of a session principal (a fresh login), with its id. */
  async freshSession(p: SessionPrincipal): Promise<{ client: TestClient; sessionId: string }> {
    const party = this.parties[p];
    const client = new TestClient(this.url);
    const res = await client.login(party.login, passwordOf(party.login));
    if (res.status !== 200)
      throw new Error(`signing ${party.login} in again: ${res.status} ${JSON.stringify(res.body)}`);
    return { client, sessionId: res.body.sessionId };
  }

  /** A new device of a device holder (to remove it). */
  async spareDevice(p: DeviceHolder): Promise<string> {
    return (await this.registerDeviceFor(this.parties[p])).id;
  }

  /** A message the member sends in G now (to recall it, or to ask for its receipts). */
  async freshMessage(): Promise<number> {
    const member = { user: this.parties.member.user, deviceId: this.devices.member.id } as Person;
    const message = buildTestMessage(member, this.group.id, 'matrix', { policyVersion: await this.policyVersion() });
    const ack = (await this.memberSocket.timeout(10_000).emitWithAck('message:send', message)) as Ack<MessageSendAck>;
    if (!ack.ok) throw new Error(`sending as the member: ${JSON.stringify(ack)}`);
    return ack.data.seq;
  }

  /** An upload the member started in G and has not sent bytes for yet. */
  async pendingAttachment(size = 16): Promise<string> {
    return (
      await this.expectOk<AttachmentDto>(
        this.parties.member.http,
        'POST',
        `/api/conversations/${this.group.id}/attachments`,
        {
          size,
        },
      )
    ).id;
  }

  /** A webhook of G, made by its owner. */
  async freshHook(): Promise<string> {
    return (
      await this.expectOk<CreatedWebhook>(
        this.parties.owner.http,
        'POST',
        `/api/conversations/${this.group.id}/webhooks`,
        {
          name: 'matrix hook',
        },
      )
    ).id;
  }

  /** A new account that the owner adds to G (to remove it again). */
  async freshGroupMember(): Promise<string> {
    const user = await this.throwawayUser();
    await this.expectOk(this.parties.owner.http, 'POST', `/api/conversations/${this.group.id}/members`, {
      userIds: [user.id],
    });
    return user.id;
  }

  async throwawayUser(): Promise<UserDto> {
    return createUser(this.admin, `spare-${randomBytes(4).toString('hex')}`);
  }

  /** One resource made once and reused by every call that must not change it (the denied ones). */
  once(key: string, make: () => Promise<string>): Promise<string> {
    let value = this.shared.get(key);
    if (!value) {
      value = make();
      this.shared.set(key, value);
    }
    return value;
  }

  async policyVersion(): Promise<number> {
    const res = await this.parties.member.http.request<WordPolicyResponse>('GET', '/api/word-policy');
    return res.body.policy?.version ?? 0;
  }

  async expectOk<T = unknown>(client: TestClient, method: string, path: string, body?: unknown): Promise<T> {
    const res = await client.request<T>(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  private async signedIn(login: string, user: UserDto): Promise<Party> {
    const http = new TestClient(this.url);
    const res = await http.login(login, passwordOf(login));
    if (res.status !== 200) throw new Error(`signing ${login} in: ${res.status}`);
    return { login, user, http };
  }

  private async registerDevice(p: DeviceHolder): Promise<Device> {
    return this.registerDeviceFor(this.parties[p]);
  }

  private async registerDeviceFor(party: Party): Promise<Device> {
    const base = generateDeviceKeys({ userId: party.user.id, deviceId: uuidv7() });
    const { keys, prekeys } = generateOneTimePrekeys(base, 2);
    await this.expectOk(party.http, 'POST', '/api/devices', {
      name: 'matrix',
      bundle: bundleToJson(publicBundle(keys, prekeys)),
    });
    return { id: keys.identity.deviceId, keys };
  }

  private async personalToken(party: Party): Promise<string> {
    return (
      await this.expectOk<CreatedApiToken>(party.http, 'POST', '/api/tokens', {
        name: 'matrix',
        scopes: ['compliance:export', 'audit:read'],
        expiresInDays: 30,
      })
    ).token;
  }

  /** The member's attachment in G, uploaded in full (downloadable). */
  private async uploadedAttachment(): Promise<string> {
    const id = await this.pendingAttachment(16);
    const res = await this.parties.member.http.request('PATCH', `/api/attachments/${id}`, 'x'.repeat(16), {
      'content-type': 'application/offset+octet-stream',
      'upload-offset': '0',
    });
    if (res.status !== 200) throw new Error(`uploading: ${res.status} ${JSON.stringify(res.body)}`);
    return id;
  }
}
