import { randomBytes } from 'node:crypto';
import {
  bundleToJson,
  currentSignedPrekey,
  generateDeviceKeys,
  generateOneTimePrekeys,
  publicBundle,
  rotateSignedPrekey,
  toBase64Url,
} from '@miyu/crypto';
import { type CreatedApiToken, ErrorCode } from '@miyu/protocol';
import { uuidv7 } from '../../../src/common/security/uuid.js';
import { passwordOf } from '../people.js';
import { type DeviceHolder, isSessionPrincipal, PRINCIPALS, type PrincipalName, type World } from './world.js';

export interface CallContext {
  w: World;
  p: PrincipalName;
  /** What the table expects for this principal: allowed calls get fresh resources, denied ones shared ones. */
  allowed: boolean;
}

export interface Call {
  /** Defaults to the row's method (ALL is called with GET). */
  method?: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send it from a new session of the principal (a call that ends or changes its own session). */
  fresh?: boolean;
  /** The principal has no such resource of its own and names one that does not exist: a not-found passes. */
  missing?: boolean;
  /** The route answers with a redirect (to the sign-in page): read that answer instead of following it. */
  redirects?: boolean;
}

export interface RestRow {
  /** `METHOD /path` exactly as the app registers it (see access-declarations.ts). */
  route: string;
  allow: readonly PrincipalName[];
  /** Refusals the service gives beyond the guard's 401/403 (hiding existence, naming the rule); empty if none. */
  denyCodes?: readonly string[];
  /** SCIM answers errors in the SCIM error schema (RFC 7644 §3.12), not `{ error: { code } }`. */
  scim?: boolean;
  call(ctx: CallContext): Call | Promise<Call>;
  /** For an allowed call whose answer the service filters to what the caller may see: null if it did. */
  filtered?(body: unknown, ctx: CallContext): string | null;
}

const EVERYONE = PRINCIPALS;
/** Every principal with a live session of their own. */
const SIGNED_IN = ['owner', 'member', 'nonMember', 'admin', 'auditor', 'otherDevice'] as const;
/** Signed in and acting on their own device or resource: otherDevice names the member's, and is refused. */
const OWN = ['owner', 'member', 'nonMember', 'admin', 'auditor'] as const;
const G_MEMBERS = ['owner', 'member', 'otherDevice'] as const;
const G_OWNER = ['owner'] as const;
const ADMIN = ['admin'] as const;
const AUDIT_READERS = ['admin', 'auditor', 'serviceToken', 'auditorToken'] as const;
const NOT_IN_G = [ErrorCode.CONVERSATION_NOT_FOUND];
const NOT_MANAGER = [ErrorCode.CONVERSATION_NOT_FOUND, ErrorCode.CONVERSATION_NOT_MEMBER];

/** A row whose call is one path (and body) for every principal. */
function fixed(route: string, allow: readonly PrincipalName[], path: string, body?: unknown): RestRow {
  return { route, allow, call: () => ({ path, body }) };
}

const someId = (): string => uuidv7();
const b64 = (bytes: number): string => randomBytes(bytes).toString('base64url');
const g = ({ w }: CallContext): string => w.group.id;

/** The device a principal registers: its own identity, except otherDevice, who claims the member's user id. */
function newBundle({ w, p }: CallContext) {
  const userId = p === 'otherDevice' ? w.parties.member.user.id : (w.userOf(p)?.id ?? w.parties.member.user.id);
  const base = generateDeviceKeys({ userId, deviceId: uuidv7() });
  const { keys, prekeys } = generateOneTimePrekeys(base, 1);
  return { name: 'matrix', bundle: bundleToJson(publicBundle(keys, prekeys)) };
}

/** Every HTTP route of the server, who may call it, and a call that lets the service's own check decide. */
export const REST_ROWS: RestRow[] = [
  // ---- operations and sign-in (public)
  fixed('GET /metrics', EVERYONE, '/metrics'),
  fixed('GET /health/live', EVERYONE, '/health/live'),
  fixed('GET /health/ready', EVERYONE, '/health/ready'),
  {
    route: 'POST /api/auth/login',
    allow: EVERYONE,
    call: ({ w }) => ({
      path: '/api/auth/login',
      body: { login: w.loginTarget.login, password: passwordOf(w.loginTarget.login) },
    }),
  },
  fixed('GET /api/auth/methods', EVERYONE, '/api/auth/methods'),
  {
    route: 'GET /api/auth/oidc/start',
    allow: EVERYONE,
    call: () => ({ path: '/api/auth/oidc/start', redirects: true }),
  },
  {
    route: 'GET /api/auth/oidc/callback',
    allow: EVERYONE,
    call: () => ({ path: '/api/auth/oidc/callback?state=x&code=y', redirects: true }),
  },
  fixed('GET /api/setup/status', EVERYONE, '/api/setup/status'),
  fixed('POST /api/setup/admin', EVERYONE, '/api/setup/admin', {
    token: 'not-the-setup-token',
    login: 'intruder',
    displayName: 'Intruder',
    password: 'intruder-password-1',
  }),
  // A hook's id is not a secret: the HMAC signature is its credential (an unknown hook is a 404).
  { route: 'POST /hooks/:id', allow: EVERYONE, call: () => ({ path: `/hooks/${someId()}`, body: { text: 'x' } }) },

  // ---- the signed-in person's own account, sessions and tokens
  fixed('GET /api/auth/session', SIGNED_IN, '/api/auth/session'),
  { route: 'POST /api/auth/logout', allow: SIGNED_IN, call: () => ({ path: '/api/auth/logout', fresh: true }) },
  fixed('GET /api/auth/sessions', SIGNED_IN, '/api/auth/sessions'),
  {
    // Own sessions; an admin any person's; otherDevice names the member's session and gets a not-found.
    route: 'DELETE /api/auth/sessions/:id',
    allow: OWN,
    denyCodes: [ErrorCode.SESSION_NOT_FOUND],
    call: async ({ w, p, allowed }) => {
      const id =
        allowed && p === 'admin'
          ? (await w.freshSession('member')).sessionId
          : allowed && isSessionPrincipal(p)
            ? (await w.freshSession(p)).sessionId
            : await w.once('member-session', async () => (await w.freshSession('member')).sessionId);
      return { path: `/api/auth/sessions/${id}` };
    },
  },
  fixed('POST /api/auth/sessions/revoke-others', SIGNED_IN, '/api/auth/sessions/revoke-others'),
  fixed('PATCH /api/auth/profile', SIGNED_IN, '/api/auth/profile', {}),
  fixed('POST /api/auth/password', SIGNED_IN, '/api/auth/password', {}),
  fixed('POST /api/auth/totp/enroll', SIGNED_IN, '/api/auth/totp/enroll'),
  fixed('POST /api/auth/totp/confirm', SIGNED_IN, '/api/auth/totp/confirm', {}),
  fixed('POST /api/auth/totp/disable', SIGNED_IN, '/api/auth/totp/disable', {}),
  fixed('GET /api/tokens', SIGNED_IN, '/api/tokens'),
  fixed('POST /api/tokens', SIGNED_IN, '/api/tokens', {}),
  {
    // Owners revoke their own tokens, admins any; others get a not-found (members own none: a made-up id).
    route: 'DELETE /api/tokens/:id',
    allow: OWN,
    denyCodes: [ErrorCode.API_TOKEN_NOT_FOUND],
    call: async ({ w, p, allowed }) => {
      const auditorToken = async () =>
        (
          await w.expectOk<CreatedApiToken>(w.parties.auditor.http, 'POST', '/api/tokens', {
            name: 'spare',
            scopes: ['audit:read'],
            expiresInDays: 1,
          })
        ).id;
      if (allowed && (p === 'auditor' || p === 'admin')) return { path: `/api/tokens/${await auditorToken()}` };
      if (allowed) return { path: `/api/tokens/${someId()}`, missing: true };
      return { path: `/api/tokens/${await w.once('auditor-token', auditorToken)}` };
    },
  },
  fixed('GET /api/me/read-receipts', SIGNED_IN, '/api/me/read-receipts'),
  fixed('PUT /api/me/read-receipts', SIGNED_IN, '/api/me/read-receipts', { hideReadReceipts: false }),
  fixed('GET /api/history/recovery', SIGNED_IN, '/api/history/recovery'),
  fixed('PUT /api/history/recovery', SIGNED_IN, '/api/history/recovery', {}),
  {
    route: 'GET /api/history/backups',
    allow: SIGNED_IN,
    call: () => ({ path: `/api/history/backups?keyId=${b64(8)}` }),
  },
  {
    route: 'PUT /api/history/backups',
    allow: OWN,
    denyCodes: [ErrorCode.DEVICE_NOT_FOUND],
    call: ({ w, p }) => ({
      path: '/api/history/backups',
      body: { deviceId: w.deviceOf(p).id, items: [{ keyId: b64(8), sessionId: b64(16), blob: b64(100) }] },
    }),
  },

  // ---- devices and keys
  {
    route: 'POST /api/devices',
    allow: OWN,
    denyCodes: [ErrorCode.DEVICE_IDENTITY_MISMATCH],
    call: (ctx) => ({ path: '/api/devices', body: newBundle(ctx) }),
  },
  // Anyone signed in lists anyone's devices and claims their keys: that is how senders find whom to encrypt to.
  {
    route: 'GET /api/users/:userId/devices',
    allow: SIGNED_IN,
    call: ({ w }) => ({ path: `/api/users/${w.parties.member.user.id}/devices` }),
  },
  {
    route: 'POST /api/keys/claim',
    allow: SIGNED_IN,
    call: ({ w }) => ({ path: '/api/keys/claim', body: { deviceIds: [w.devices.member.id] } }),
  },
  {
    route: 'POST /api/devices/:id/prekeys',
    allow: OWN,
    call: ({ w, p }) => {
      const device = w.deviceOf(p);
      const { prekeys } = generateOneTimePrekeys(device.keys, 1);
      const body = { oneTimePrekeys: prekeys.map((k) => ({ id: k.id, publicKey: toBase64Url(k.keyPair.publicKey) })) };
      return { path: `/api/devices/${device.id}/prekeys`, body };
    },
  },
  {
    route: 'PUT /api/devices/:id/signed-prekey',
    allow: OWN,
    call: ({ w, p }) => {
      const device = w.deviceOf(p);
      const spk = currentSignedPrekey(rotateSignedPrekey(device.keys, Date.now()));
      const body = {
        id: spk.id,
        publicKey: toBase64Url(spk.publicKey),
        createdAt: spk.createdAt,
        signature: toBase64Url(spk.signature),
      };
      return { path: `/api/devices/${device.id}/signed-prekey`, body };
    },
  },
  {
    // The owner removes their device, an admin anyone's; otherDevice names the member's and gets a not-found.
    route: 'DELETE /api/devices/:id',
    allow: OWN,
    denyCodes: [ErrorCode.DEVICE_NOT_FOUND],
    call: async ({ w, p, allowed }) => {
      const id = !allowed
        ? await w.once('member-device', () => w.spareDevice('member'))
        : await w.spareDevice(p === 'admin' ? 'member' : (p as DeviceHolder));
      return { path: `/api/devices/${id}` };
    },
  },

  // ---- conversations (G: owner, member, otherDevice; disabled was a member)
  fixed('GET /api/conversations', SIGNED_IN, '/api/conversations'),
  fixed('POST /api/conversations', SIGNED_IN, '/api/conversations', { kind: 'group', name: 'matrix', memberIds: [] }),
  {
    route: 'GET /api/conversations/:id',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}` }),
  },
  {
    route: 'PATCH /api/conversations/:id',
    allow: G_OWNER,
    denyCodes: NOT_MANAGER,
    call: (c) => ({ path: `/api/conversations/${g(c)}`, body: { topic: 'matrix' } }),
  },
  {
    route: 'PUT /api/conversations/:id/members/:userId/role',
    allow: G_OWNER,
    denyCodes: [...NOT_IN_G, ErrorCode.CONVERSATION_ROLE_FORBIDDEN],
    call: (c) => ({
      path: `/api/conversations/${g(c)}/members/${c.w.parties.member.user.id}/role`,
      body: { role: 'member' },
    }),
  },
  {
    route: 'GET /api/conversations/:id/members',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}/members` }),
  },
  {
    route: 'POST /api/conversations/:id/members',
    allow: G_OWNER,
    denyCodes: NOT_MANAGER,
    call: async (c) => ({
      path: `/api/conversations/${g(c)}/members`,
      body: { userIds: [await c.w.once('outside-user', async () => (await c.w.throwawayUser()).id)] },
    }),
  },
  {
    // Owner and group admins remove others; a member only leaves (removes themselves).
    route: 'DELETE /api/conversations/:id/members/:userId',
    allow: G_OWNER,
    denyCodes: [...NOT_MANAGER, ErrorCode.CONVERSATION_ROLE_FORBIDDEN],
    call: async (c) => {
      const userId = c.allowed
        ? await c.w.freshGroupMember()
        : await c.w.once('group-member', () => c.w.freshGroupMember());
      return { path: `/api/conversations/${g(c)}/members/${userId}` };
    },
  },
  {
    route: 'GET /api/conversations/:id/messages',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}/messages` }),
  },
  {
    route: 'GET /api/conversations/:id/retention',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}/retention` }),
  },
  fixed('GET /api/settings/messaging', SIGNED_IN, '/api/settings/messaging'),
  fixed('PUT /api/admin/settings/messaging', ADMIN, '/api/admin/settings/messaging', {}),

  // ---- attachments (the member's upload in G)
  fixed('GET /api/attachments/limits', SIGNED_IN, '/api/attachments/limits'),
  {
    route: 'POST /api/conversations/:id/attachments',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}/attachments`, body: { size: 16 } }),
  },
  {
    route: 'HEAD /api/attachments/:id',
    allow: G_MEMBERS,
    denyCodes: [ErrorCode.ATTACHMENT_NOT_FOUND],
    call: ({ w }) => ({ path: `/api/attachments/${w.attachmentId}` }),
  },
  {
    route: 'GET /api/attachments/:id/status',
    allow: G_MEMBERS,
    denyCodes: [ErrorCode.ATTACHMENT_NOT_FOUND],
    call: ({ w }) => ({ path: `/api/attachments/${w.attachmentId}/status` }),
  },
  {
    route: 'GET /api/attachments/:id',
    allow: G_MEMBERS,
    denyCodes: [ErrorCode.ATTACHMENT_NOT_FOUND],
    call: ({ w }) => ({ path: `/api/attachments/${w.attachmentId}` }),
  },
  {
    // Only the uploader sends the bytes.
    route: 'PATCH /api/attachments/:id',
    allow: ['member'],
    denyCodes: [ErrorCode.ATTACHMENT_NOT_FOUND],
    call: async ({ w, allowed }) => {
      const id = allowed ? await w.pendingAttachment() : await w.once('pending', () => w.pendingAttachment());
      return {
        path: `/api/attachments/${id}`,
        body: 'x'.repeat(16),
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' },
      };
    },
  },

  // ---- receipts: only the sender sees who read their message
  {
    // Any member may ask; the counts cover only the caller's own messages (others' seqs are left out).
    route: 'GET /api/conversations/:id/receipts',
    allow: G_MEMBERS,
    denyCodes: [...NOT_IN_G, ErrorCode.RECEIPTS_NOT_AVAILABLE],
    call: (c) => ({ path: `/api/conversations/${g(c)}/receipts?seqs=${c.w.memberSeq}` }),
    filtered: (body, { p }) => {
      const seqs = ((body as { items?: Array<{ seq: number }> }).items ?? []).map((i) => i.seq);
      const sender = p === 'member';
      return seqs.length === (sender ? 1 : 0)
        ? null
        : `the ${sender ? 'sender' : 'non-sender'} got counts for ${JSON.stringify(seqs)}`;
    },
  },
  {
    route: 'GET /api/conversations/:id/messages/:seq/receipts',
    allow: ['member'],
    denyCodes: [...NOT_IN_G, ErrorCode.RECEIPTS_NOT_AVAILABLE],
    call: (c) => ({ path: `/api/conversations/${g(c)}/messages/${c.w.memberSeq}/receipts?state=read` }),
  },

  // ---- group webhooks (owner and group admins) and bots
  {
    route: 'GET /api/conversations/:id/webhooks',
    allow: G_OWNER,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}/webhooks` }),
  },
  {
    route: 'POST /api/conversations/:id/webhooks',
    allow: G_OWNER,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}/webhooks`, body: { name: 'matrix hook' } }),
  },
  {
    route: 'POST /api/conversations/:id/webhooks/:hookId/rotate-secret',
    allow: G_OWNER,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}/webhooks/${c.w.hookId}/rotate-secret` }),
  },
  {
    route: 'DELETE /api/conversations/:id/webhooks/:hookId',
    allow: G_OWNER,
    denyCodes: NOT_IN_G,
    call: async (c) => ({
      path: `/api/conversations/${g(c)}/webhooks/${c.allowed ? await c.w.freshHook() : c.w.hookId}`,
    }),
  },
  {
    route: 'GET /api/conversations/:id/bots',
    allow: G_MEMBERS,
    denyCodes: NOT_IN_G,
    call: (c) => ({ path: `/api/conversations/${g(c)}/bots` }),
  },
  // Posting as a hook's bot: an admin's session or a bot:post service token, into any group's hook.
  {
    route: 'POST /api/webhooks/:id/messages',
    allow: ['admin', 'serviceToken'],
    call: ({ w }) => ({ path: `/api/webhooks/${w.hookId}/messages`, body: { text: 'matrix' } }),
  },

  // ---- word policy: everyone reads it; members file content-free hits for their conversations
  fixed('GET /api/word-policy', SIGNED_IN, '/api/word-policy'),
  {
    // A hit for a conversation one is not in is refused as an invalid report (400), not as a 403/404.
    route: 'POST /api/word-policy/hits',
    allow: G_MEMBERS,
    denyCodes: [ErrorCode.VALIDATION_FAILED],
    call: ({ w }) => ({
      path: '/api/word-policy/hits',
      body: {
        policyVersion: w.rule.version,
        hits: [{ ruleId: w.rule.id, action: 'flag', conversationId: w.group.id, clientMsgId: uuidv7() }],
      },
    }),
  },
  ...[
    'GET /api/admin/word-policy',
    'GET /api/admin/word-policy/rules',
    'POST /api/admin/word-policy/rules',
    'PUT /api/admin/word-policy/rules/:id',
    'DELETE /api/admin/word-policy/rules/:id',
    'GET /api/admin/word-policy/whitelist',
    'POST /api/admin/word-policy/whitelist',
    'DELETE /api/admin/word-policy/whitelist/:id',
    'PATCH /api/admin/word-policy/options',
    'POST /api/admin/word-policy/import/preview',
    'POST /api/admin/word-policy/import',
    'GET /api/admin/word-policy/export',
    'POST /api/admin/word-policy/test',
    'GET /api/admin/word-policy/hits',
    'GET /api/admin/word-policy/hits/stats',
    'GET /api/admin/word-policy/hits/export',
  ].map((route) => adminOnly(route)),

  // ---- directory: everyone signed in, and service tokens with directory:read
  ...[
    ['GET /api/directory/departments', '/api/directory/departments'],
    ['GET /api/directory/departments/:id', `/api/directory/departments/${someId()}`],
    ['GET /api/directory/departments/:id/members', `/api/directory/departments/${someId()}/members`],
    ['GET /api/directory/search', '/api/directory/search?q=mem'],
  ].map(([route, path]) => fixed(route!, [...SIGNED_IN, 'serviceToken'], path!)),
  {
    route: 'GET /api/directory/people/:id',
    allow: [...SIGNED_IN, 'serviceToken'],
    call: ({ w }) => ({ path: `/api/directory/people/${w.parties.member.user.id}` }),
  },

  // ---- administration (admins; services check the role again)
  ...[
    'GET /api/admin/users',
    'POST /api/admin/users',
    'POST /api/admin/users/:id/password',
    'GET /api/admin/users/:id/sessions',
    'GET /api/admin/service-tokens',
    'POST /api/admin/service-tokens',
    'DELETE /api/admin/service-tokens/:id',
    'POST /api/admin/directory/departments',
    'PATCH /api/admin/directory/departments/:id',
    'POST /api/admin/directory/departments/:id/move',
    'POST /api/admin/directory/departments/reorder',
    'DELETE /api/admin/directory/departments/:id',
    'PUT /api/admin/directory/departments/:id/members/:userId',
    'DELETE /api/admin/directory/departments/:id/members/:userId',
    'POST /api/admin/directory/people/:userId/transfer',
    'PUT /api/admin/directory/people/:userId/manager',
    'GET /api/admin/directory/settings',
    'PUT /api/admin/directory/settings',
    'POST /api/admin/directory/import',
    'GET /api/admin/directory/export',
    'GET /api/admin/directory/groups',
    'POST /api/admin/directory/groups',
    'GET /api/admin/directory/groups/:id/members',
    'POST /api/admin/directory/groups/:id/archive',
    'POST /api/admin/directory/groups/:id/members',
    'DELETE /api/admin/directory/groups/:id/members/:userId',
    'GET /api/admin/oidc',
    'PUT /api/admin/oidc',
    'GET /api/admin/ldap',
    'PUT /api/admin/ldap',
    'POST /api/admin/ldap/preview',
    'POST /api/admin/ldap/sync',
    'GET /api/compliance/overview',
    'PUT /api/compliance/settings',
    'POST /api/compliance/keys',
    'POST /api/compliance/scopes',
    'DELETE /api/compliance/scopes/:id',
    'PUT /api/compliance/policies',
    'DELETE /api/compliance/policies/:id',
    'POST /api/compliance/retention/run',
    'PUT /api/audit/settings',
    'POST /api/audit/settings/purge',
  ].map((route) => adminOnly(route)),
  {
    // Disabling or renaming a person: a throwaway account, so no principal is spoiled.
    route: 'PATCH /api/admin/users/:id',
    allow: ADMIN,
    call: async ({ w }) => ({
      path: `/api/admin/users/${await w.once('renamed-user', async () => (await w.throwawayUser()).id)}`,
      body: { displayName: 'Renamed' },
    }),
  },
  {
    route: 'POST /api/admin/users/:id/sessions/revoke',
    allow: ADMIN,
    call: async ({ w }) => ({
      path: `/api/admin/users/${await w.once('revoked-user', async () => (await w.throwawayUser()).id)}/sessions/revoke`,
    }),
  },

  // ---- audit log: admins and auditors, and tokens with audit:read (the checkpoint also compliance:export)
  fixed('GET /api/audit/entries', AUDIT_READERS, '/api/audit/entries'),
  fixed('GET /api/audit/entries/:seq', AUDIT_READERS, '/api/audit/entries/1'),
  fixed('GET /api/audit/checkpoint', AUDIT_READERS, '/api/audit/checkpoint'),
  fixed('GET /api/audit/proofs/inclusion', AUDIT_READERS, '/api/audit/proofs/inclusion?seq=1&size=1'),
  fixed('GET /api/audit/proofs/consistency', AUDIT_READERS, '/api/audit/proofs/consistency?from=1&to=1'),
  fixed('GET /api/audit/export', AUDIT_READERS, '/api/audit/export'),
  fixed('GET /api/audit/settings', ['admin', 'auditor'], '/api/audit/settings'),

  // ---- compliance: every member sees the notice; the export is the auditors' (not the admins')
  fixed('GET /api/compliance/notice', [...SIGNED_IN, 'auditorToken'], '/api/compliance/notice'),
  fixed(
    'GET /api/compliance/export/conversations',
    ['auditor', 'auditorToken'],
    '/api/compliance/export/conversations',
  ),
  {
    route: 'GET /api/compliance/export/messages',
    allow: ['auditor', 'auditorToken'],
    call: (c) => ({ path: `/api/compliance/export/messages?conversationId=${g(c)}` }),
  },
  {
    route: 'GET /api/compliance/export/sessions',
    allow: ['auditor', 'auditorToken'],
    call: (c) => ({ path: `/api/compliance/export/sessions?conversationId=${g(c)}` }),
  },
  {
    route: 'GET /api/compliance/export/attachments/:id',
    allow: ['auditor', 'auditorToken'],
    call: ({ w }) => ({ path: `/api/compliance/export/attachments/${w.attachmentId}` }),
  },

  // ---- SCIM: service tokens with scim:provision only (a browser session is refused even for an admin)
  ...[
    ['GET /scim/v2/Users', '/scim/v2/Users'],
    ['GET /scim/v2/Users/:id', `/scim/v2/Users/${someId()}`],
    ['POST /scim/v2/Users', '/scim/v2/Users'],
    ['PUT /scim/v2/Users/:id', `/scim/v2/Users/${someId()}`],
    ['PATCH /scim/v2/Users/:id', `/scim/v2/Users/${someId()}`],
    ['DELETE /scim/v2/Users/:id', `/scim/v2/Users/${someId()}`],
    ['GET /scim/v2/Groups', '/scim/v2/Groups'],
    ['GET /scim/v2/Groups/:id', `/scim/v2/Groups/${someId()}`],
    ['POST /scim/v2/Groups', '/scim/v2/Groups'],
    ['PUT /scim/v2/Groups/:id', `/scim/v2/Groups/${someId()}`],
    ['PATCH /scim/v2/Groups/:id', `/scim/v2/Groups/${someId()}`],
    ['DELETE /scim/v2/Groups/:id', `/scim/v2/Groups/${someId()}`],
    ['GET /scim/v2/ServiceProviderConfig', '/scim/v2/ServiceProviderConfig'],
    ['GET /scim/v2/ResourceTypes', '/scim/v2/ResourceTypes'],
    ['GET /scim/v2/ResourceTypes/:id', '/scim/v2/ResourceTypes/User'],
    ['GET /scim/v2/Schemas', '/scim/v2/Schemas'],
    ['GET /scim/v2/Schemas/:id', '/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User'],
    ['ALL /scim/v2/*path', '/scim/v2/Nothing/here'],
  ].map(([route, path]): RestRow => ({
    route: route!,
    allow: ['serviceToken'],
    scim: true,
    call: () => ({ path: path!, body: route!.startsWith('P') ? {} : undefined }),
  })),
];

/**
 * An admin-only route: the guard decides before any validation, so a made-up id and an empty body do (an admin then
 * gets a 400 or a 404 from the service, never a 401/403).
 */
function adminOnly(route: string): RestRow {
  const [method] = route.split(' ');
  const path = route.slice(method!.length + 1).replace(/:[A-Za-z]+/g, () => someId());
  const body = ['POST', 'PUT', 'PATCH'].includes(method!) ? {} : undefined;
  return fixed(route, ADMIN, path, body);
}
