import {
  ed25519GenerateKeyPair,
  escrowUnwrap,
  fromBase64Url,
  ready,
  toBase64Url,
  x25519GenerateKeyPair,
} from '@miyu/crypto';
import {
  type AuditPage,
  COMPLIANCE_PUBLIC_KEY_FORMAT,
  type ComplianceNotice,
  type ConversationBots,
  type ConversationDto,
  type CreatedWebhook,
  type WebhookDto,
  type WebhookPostResult,
} from '@miyu/protocol';
import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { complianceKeyFingerprint } from '../../src/common/security/compliance-fingerprint.js';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { createE2EPerson, type E2EDevice } from '../support/e2e-device.js';
import { TestClient } from '../support/http-client.js';
import { createGroup } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = {
  error: { code: string; retryAfterSeconds?: number; details?: Array<{ path: string; message: string }> };
};
const run = promisify(execFile);
type Person = { id: string; http: TestClient; device: E2EDevice };

/** What a caller computes (docs/integrations.md): hex HMAC-SHA256 over `timestamp.body`, keyed with the secret. */
function sign(secret: string, timestamp: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Incoming webhooks (issue 11) against the real server, PostgreSQL and libs/crypto clients: group owners create
 * hooks, signed posts become bot messages that members' devices decrypt, and every bad request is refused with
 * nothing posted.
 */
describe('incoming webhooks (real PostgreSQL, real E2E devices)', () => {
  let t: TestServer;
  let dataDir: string;
  let admin: TestClient;
  const people: Record<string, Person> = {};
  let group: ConversationDto;
  let hook: CreatedWebhook;

  const now = () => String(Math.floor(Date.now() / 1000));
  const post = async (
    id: string,
    body: string | Buffer,
    options: { secret?: string; timestamp?: string; signature?: string | null } = {},
  ) => {
    const raw = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const timestamp = options.timestamp ?? now();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-miyu-timestamp': timestamp };
    const signature =
      options.signature === undefined ? sign(options.secret ?? hook.secret, timestamp, raw) : options.signature;
    if (signature !== null) headers['x-miyu-signature'] = signature;
    const res = await fetch(`${t.url}/hooks/${id}`, { method: 'POST', headers, body: raw });
    return { status: res.status, body: (await res.json()) as WebhookPostResult & ErrorBody };
  };
  const postedCount = async (conversationId: string) =>
    Number(
      (
        (await t.dataSource.query(
          `SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1 AND envelope IS NOT NULL`,
          [conversationId],
        )) as Array<{ n: number }>
      )[0]!.n,
    );
  /** Everything `who` can read in the conversation (after taking the key shares from its inbox). */
  const readAs = async (
    who: string,
    conversationId: string,
    compliance?: { keys: Uint8Array[]; expected: boolean },
  ) => {
    const device = people[who]!.device;
    await device.drainInbox();
    const out: Array<{
      seq: number;
      sender: string;
      text: string;
      mentions: string[];
      escrow: string;
      wrap: Uint8Array | null;
    }> = [];
    for (const { seq, envelope } of await device.syncAll(conversationId)) {
      const d = await device.crypto.decryptMessage(envelope, {
        mode: 'history',
        ...(compliance ? { compliance } : {}),
      });
      out.push({
        seq,
        sender: d.sender.userId,
        text: d.content.type === 'text' ? d.content.body : `<${d.content.type}>`,
        mentions: d.content.type === 'text' ? d.content.mentions.map((m) => m.userId) : [],
        escrow: d.escrow,
        wrap: envelope.escrow,
      });
    }
    return out;
  };

  beforeAll(async () => {
    await ready();
    dataDir = await mkdtemp(join(tmpdir(), 'miyu-webhooks-'));
    t = await startTestServer({ DATA_DIR: dataDir });
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    for (const login of ['alice', 'bob', 'carol', 'dave']) people[login] = await createE2EPerson(t.url, admin, login);
    group = await createGroup(people.alice!.http, 'Ops', [people.bob!.id, people.carol!.id]);
  });
  afterAll(async () => {
    Object.values(people).forEach((p) => p.device.close());
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('managing hooks', () => {
    it('lets the group owner create one, shows the secret once and adds its bot to the group', async () => {
      const res = await people.alice!.http.request<CreatedWebhook>('POST', `/api/conversations/${group.id}/webhooks`, {
        name: 'CI',
        avatarUrl: 'https://ci.example.com/logo.png',
      });
      expect(res.status).toBe(201);
      hook = res.body;
      expect(hook).toMatchObject({
        conversationId: group.id,
        name: 'CI',
        url: `/hooks/${hook.id}`,
        createdBy: people.alice!.id,
      });
      expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const list = await people.alice!.http.request<WebhookDto[]>('GET', `/api/conversations/${group.id}/webhooks`);
      expect(list.body.map((h) => h.id)).toEqual([hook.id]);
      expect(JSON.stringify(list.body)).not.toContain(hook.secret);
      const members = await people.bob!.http.request<Array<{ userId: string }>>(
        'GET',
        `/api/conversations/${group.id}/members`,
      );
      expect(members.body.map((m) => m.userId)).toContain(hook.botUserId);
      const [bot] = (await t.dataSource.query(`SELECT bot, login FROM users WHERE id = $1`, [
        hook.botUserId,
      ])) as Array<{
        bot: boolean;
        login: string;
      }>;
      expect(bot!.bot).toBe(true);
      // Members learn which senders are bots, to badge their messages; people outside the group do not.
      const bots = await people.carol!.http.request<ConversationBots>('GET', `/api/conversations/${group.id}/bots`);
      expect(bots.body).toEqual({
        bots: [{ userId: hook.botUserId, name: 'CI', avatarUrl: 'https://ci.example.com/logo.png' }],
      });
      expect((await people.dave!.http.request('GET', `/api/conversations/${group.id}/bots`)).status).toBe(404);
      // The bot is not a colleague: nobody finds it in the directory, and no admin can give it a password.
      const found = await people.dave!.http.request<{ items: Array<{ id: string }> }>(
        'GET',
        `/api/directory/search?q=${encodeURIComponent('CI')}`,
      );
      expect(found.body.items.map((p) => p.id)).not.toContain(hook.botUserId);
      const listed = await admin.request<{ items: Array<{ id: string }> }>('GET', '/api/admin/users?limit=200');
      expect(listed.body.items.map((u) => u.id)).not.toContain(hook.botUserId);
      const password = await admin.request<{ error: { code: string } }>(
        'POST',
        `/api/admin/users/${hook.botUserId}/password`,
        { password: 'a-long-password-for-the-bot' },
      );
      expect([password.status, password.body.error.code]).toEqual([403, 'FORBIDDEN']);
      // The secret and the bot's keys are stored sealed, never in the clear.
      const [row] = (await t.dataSource.query(`SELECT secret_box FROM webhooks WHERE id = $1`, [hook.id])) as Array<{
        secret_box: Buffer;
      }>;
      expect(row!.secret_box.toString('latin1')).not.toContain(hook.secret);
      expect((await stat(join(dataDir, 'server-secrets.key'))).mode & 0o077).toBe(0);
    });

    it('refuses members who are not owner or admin, people outside the group, and bad input', async () => {
      const asMember = await people.carol!.http.request<ErrorBody>('POST', `/api/conversations/${group.id}/webhooks`, {
        name: 'X',
      });
      expect([asMember.status, asMember.body.error.code]).toEqual([403, 'FORBIDDEN']);
      const list = await people.bob!.http.request<ErrorBody>('GET', `/api/conversations/${group.id}/webhooks`);
      expect(list.status).toBe(403);
      const outsider = await people.dave!.http.request<ErrorBody>('POST', `/api/conversations/${group.id}/webhooks`, {
        name: 'X',
      });
      expect([outsider.status, outsider.body.error.code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);
      for (const body of [{}, { name: '' }, { name: 'x', avatarUrl: 'javascript:alert(1)' }, { name: 'x', extra: 1 }]) {
        const bad = await people.alice!.http.request<ErrorBody>(
          'POST',
          `/api/conversations/${group.id}/webhooks`,
          body,
        );
        expect([JSON.stringify(body), bad.status]).toEqual([JSON.stringify(body), 400]);
      }
      const hooks = (await t.dataSource.query(`SELECT count(*)::int AS n FROM webhooks`)) as Array<{ n: number }>;
      expect(hooks[0]!.n).toBe(1);
    });
  });

  describe('posting', () => {
    it('posts a signed {"text"} as the bot, and every member device decrypts it', async () => {
      const res = await post(hook.id, JSON.stringify({ text: 'Build #42 passed' }));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ conversationId: group.id, masked: false });
      for (const who of ['alice', 'bob', 'carol']) {
        const read = await readAs(who, group.id);
        const last = read[read.length - 1]!;
        expect([who, last.seq, last.sender, last.text, last.escrow]).toEqual([
          who,
          res.body.seq,
          hook.botUserId,
          'Build #42 passed',
          'none',
        ]);
      }
      // Nothing a member encrypts ever reaches the bot's keys (the server holds them): its devices are listed as
      // none, their bundles are not handed out, and its inbox takes nothing — so members never share their sender
      // keys with it, and their messages stay end-to-end.
      const queuedForBot = async () =>
        (
          (await t.dataSource.query(
            `SELECT count(*)::int AS n FROM device_inbox WHERE device_id IN (SELECT id FROM devices WHERE user_id = $1)`,
            [hook.botUserId],
          )) as Array<{ n: number }>
        )[0]!.n;
      await people.bob!.device.sendText(group.id, 'thanks, bot');
      expect((await readAs('alice', group.id)).map((m) => m.text)).toContain('thanks, bot');
      expect(await queuedForBot()).toBe(0);
      const listed = await people.bob!.http.request<unknown[]>('GET', `/api/users/${hook.botUserId}/devices`);
      expect(listed.body).toEqual([]);
      const [{ id: botDeviceId }] = (await t.dataSource.query(`SELECT id FROM devices WHERE user_id = $1`, [
        hook.botUserId,
      ])) as [{ id: string }];
      const claimed = await people.bob!.http.request<{ bundles: unknown[] }>('POST', '/api/keys/claim', {
        deviceIds: [botDeviceId],
      });
      expect(claimed.body.bundles).toEqual([]);
      const sent = (await people.bob!.device.socket.timeout(10_000).emitWithAck('todevice:send', {
        messages: [{ deviceId: botDeviceId, payload: Buffer.from('not for the server').toString('base64url') }],
      })) as { ok: boolean; data: { stored: number; refused: string[] } };
      expect(sent.data).toEqual({ stored: 0, refused: [botDeviceId] });
      expect(await queuedForBot()).toBe(0);
      expect((await post(hook.id, JSON.stringify({ text: 'Build #43 passed' }))).status).toBe(200);
    });

    it('also takes posts from a service token with bot:post (no signature), and from nothing less', async () => {
      const token = async (scopes: string[]) =>
        (
          await admin.request<{ token: string }>('POST', '/api/admin/service-tokens', {
            name: `bot ${scopes.join(' ')}`,
            scopes,
            expiresInDays: 30,
          })
        ).body.token;
      const postWith = (bearer: string, body: unknown) =>
        new TestClient(t.url).request<{ seq: number; error: { code: string } }>(
          'POST',
          `/api/webhooks/${hook.id}/messages`,
          body,
          { authorization: `Bearer ${bearer}` },
        );
      const poster = await token(['bot:post']);
      const res = await postWith(poster, { text: 'Deploy finished (via token)' });
      expect(res.status).toBe(200);
      const read = await readAs('carol', group.id);
      expect(read[read.length - 1]).toMatchObject({ seq: res.body.seq, text: 'Deploy finished (via token)' });
      const reader = await token(['directory:read']);
      expect((await postWith(reader, { text: 'no' })).body.error.code).toBe('API_TOKEN_SCOPE_FORBIDDEN');
      expect((await postWith(poster, { text: 'x'.repeat(70 * 1024) })).status).toBe(413);
      expect((await postWith(poster, { nothing: true })).status).toBe(400);
      const member = await people.bob!.http.request('POST', `/api/webhooks/${hook.id}/messages`, { text: 'no' });
      expect(member.status).toBe(403);
    });

    it('accepts the curl + openssl command of docs/integrations.md (en and zh-CN) as written', async () => {
      for (const doc of ['integrations.md', 'integrations.zh-CN.md']) {
        const text = await readFile(join(__dirname, '../../../../docs', doc), 'utf8');
        const command = [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
          .map((m) => m[1]!)
          .find((block) => block.includes('openssl dgst') && block.includes('X-Miyu-Signature'));
        expect(command).toBeDefined();
        const { stdout } = await run('bash', ['-c', command!], {
          env: { ...process.env, HOOK_URL: `${t.url}/hooks/${hook.id}`, SECRET: hook.secret },
        });
        const answer = JSON.parse(stdout) as WebhookPostResult;
        const read = await readAs('carol', group.id);
        expect([doc, read.find((m) => m.seq === answer.seq)?.text]).toEqual([doc, expect.stringMatching(/#42/)]);
      }
    });

    it('accepts the Slack shape (text and section/header blocks) and the Miyu extras (title, link, mentions)', async () => {
      const slack = await post(
        hook.id,
        JSON.stringify({
          text: 'Deploy finished',
          blocks: [
            { type: 'header', text: { type: 'plain_text', text: 'Deploy' } },
            {
              type: 'section',
              text: { type: 'mrkdwn', text: '*prod* is on v1.2' },
              fields: [{ type: 'mrkdwn', text: 'by ci' }],
            },
            { type: 'divider' },
          ],
        }),
      );
      expect(slack.status).toBe(200);
      const miyu = await post(
        hook.id,
        JSON.stringify({
          title: 'Approval',
          text: 'Expense **#7** needs you',
          link: 'https://oa.example.com/e/7',
          mentions: [people.bob!.id, people.dave!.id],
        }),
      );
      expect(miyu.status).toBe(200);
      const read = await readAs('bob', group.id);
      const bySeq = new Map(read.map((m) => [m.seq, m]));
      expect(bySeq.get(slack.body.seq)!.text).toBe('Deploy finished\n\n**Deploy**\n\n*prod* is on v1.2\n\nby ci');
      // dave is not in the group: his mention is dropped.
      expect(bySeq.get(miyu.body.seq)).toMatchObject({
        text: '**Approval**\n\nExpense **#7** needs you\n\nhttps://oa.example.com/e/7\n\n@bob',
        mentions: [people.bob!.id],
      });
    });

    it('serialises concurrent posts of one hook: each gets its own seq and every one decrypts', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => post(hook.id, JSON.stringify({ text: `burst ${i}` }))),
      );
      expect(results.map((r) => r.status)).toEqual(Array(12).fill(200));
      expect(new Set(results.map((r) => r.body.seq)).size).toBe(12);
      const read = await readAs('bob', group.id);
      const texts = read.filter((m) => m.text.startsWith('burst ')).map((m) => m.text);
      expect(texts.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `burst ${i}`).sort());
    });

    it('refuses bad signatures, replays, oversized bodies, unknown hooks and malformed payloads, posting nothing', async () => {
      const before = await postedCount(group.id);
      const good = JSON.stringify({ text: 'should not appear' });
      const cases: Array<[string, Promise<{ status: number; body: ErrorBody }>, number, string]> = [
        ['wrong secret', post(hook.id, good, { secret: 'whsec_wrong' }), 401, 'WEBHOOK_SIGNATURE_INVALID'],
        ['no signature', post(hook.id, good, { signature: null }), 401, 'WEBHOOK_SIGNATURE_INVALID'],
        ['not hex', post(hook.id, good, { signature: 'sha256=xyz' }), 401, 'WEBHOOK_SIGNATURE_INVALID'],
        [
          'body changed after signing',
          post(hook.id, good, { signature: sign(hook.secret, now(), Buffer.from(JSON.stringify({ text: 'other' }))) }),
          401,
          'WEBHOOK_SIGNATURE_INVALID',
        ],
        [
          'replayed (6 minutes old)',
          post(hook.id, good, { timestamp: String(Number(now()) - 360) }),
          401,
          'WEBHOOK_TIMESTAMP_INVALID',
        ],
        [
          'from the future',
          post(hook.id, good, { timestamp: String(Number(now()) + 360) }),
          401,
          'WEBHOOK_TIMESTAMP_INVALID',
        ],
        ['timestamp in ms', post(hook.id, good, { timestamp: String(Date.now()) }), 401, 'WEBHOOK_TIMESTAMP_INVALID'],
        ['no timestamp', post(hook.id, good, { timestamp: '' }), 401, 'WEBHOOK_TIMESTAMP_INVALID'],
        [
          'over 64 KiB',
          post(hook.id, JSON.stringify({ text: 'x'.repeat(64 * 1024) })),
          413,
          'WEBHOOK_PAYLOAD_TOO_LARGE',
        ],
        ['unknown hook', post(uuidv7(), good), 404, 'WEBHOOK_NOT_FOUND'],
        ['not an id', post('nope', good), 404, 'WEBHOOK_NOT_FOUND'],
        ['malformed JSON', post(hook.id, '{"text": "x"'), 400, 'WEBHOOK_PAYLOAD_INVALID'],
        ['an array', post(hook.id, '[1]'), 400, 'WEBHOOK_PAYLOAD_INVALID'],
        ['unknown shape', post(hook.id, JSON.stringify({ txt: 'x' })), 400, 'WEBHOOK_PAYLOAD_INVALID'],
        ['empty text', post(hook.id, JSON.stringify({ text: '' })), 400, 'WEBHOOK_PAYLOAD_INVALID'],
        [
          'blocks without text',
          post(hook.id, JSON.stringify({ blocks: [{ type: 'divider' }] })),
          400,
          'WEBHOOK_PAYLOAD_INVALID',
        ],
        [
          'bad mention',
          post(hook.id, JSON.stringify({ text: 'x', mentions: ['bob'] })),
          400,
          'WEBHOOK_PAYLOAD_INVALID',
        ],
      ];
      for (const [what, pending, status, code] of cases) {
        const res = await pending;
        expect([what, res.status, res.body.error?.code]).toEqual([what, status, code]);
      }
      expect(await postedCount(group.id)).toBe(before);
    });

    it('applies the word filter first: block is refused with the rule category, mask posts the masked text', async () => {
      for (const rule of [
        { type: 'word', pattern: '绝密', category: '保密', action: 'block' },
        { type: 'word', pattern: '内部', category: '敏感', action: 'mask' },
      ]) {
        expect((await admin.request('POST', '/api/admin/word-policy/rules', rule)).status).toBe(201);
      }
      const before = await postedCount(group.id);
      const blocked = await post(hook.id, JSON.stringify({ text: '这是绝密资料' }));
      expect([blocked.status, blocked.body.error.code]).toEqual([422, 'WORD_FILTER_BLOCKED']);
      expect(blocked.body.error.details).toEqual([{ path: 'category', message: '保密' }]);
      expect(await postedCount(group.id)).toBe(before);
      const masked = await post(hook.id, JSON.stringify({ text: '内部通知：周五发版' }));
      expect(masked.status).toBe(200);
      expect(masked.body.masked).toBe(true);
      const read = await readAs('carol', group.id);
      const text = read.find((m) => m.seq === masked.body.seq)!.text;
      expect(text).not.toContain('内部');
      expect(text).toContain('周五发版');
    });

    it('stops accepting the old secret once it is rotated', async () => {
      const rotated = await people.alice!.http.request<CreatedWebhook>(
        'POST',
        `/api/conversations/${group.id}/webhooks/${hook.id}/rotate-secret`,
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(hook.secret);
      const old = await post(hook.id, JSON.stringify({ text: 'old' }));
      expect([old.status, old.body.error.code]).toEqual([401, 'WEBHOOK_SIGNATURE_INVALID']);
      hook = { ...hook, secret: rotated.body.secret };
      expect((await post(hook.id, JSON.stringify({ text: 'new secret works' }))).status).toBe(200);
    });

    it('carries a valid escrow wrap in a retained conversation', async () => {
      const escrow = x25519GenerateKeyPair();
      const signing = ed25519GenerateKeyPair();
      const publicKey = {
        format: COMPLIANCE_PUBLIC_KEY_FORMAT,
        encryptionKey: toBase64Url(escrow.publicKey),
        signingKey: toBase64Url(signing.publicKey),
        fingerprint: complianceKeyFingerprint(escrow.publicKey, signing.publicKey),
        createdAt: new Date().toISOString(),
      };
      expect((await admin.request('POST', '/api/compliance/keys', { publicKey })).status).toBe(201);
      const scope = await admin.request('POST', '/api/compliance/scopes', { kind: 'user', targetId: people.alice!.id });
      expect(scope.status).toBe(201);
      const res = await post(hook.id, JSON.stringify({ text: 'retained alert' }));
      expect(res.status).toBe(200);
      const keys = (await people.bob!.http.request<ComplianceNotice>('GET', '/api/compliance/notice')).body.keys.map(
        (k) => fromBase64Url(k.encryptionKey),
      );
      const read = await readAs('bob', group.id, { keys, expected: true });
      const message = read.find((m) => m.seq === res.body.seq)!;
      expect([message.text, message.escrow]).toEqual(['retained alert', 'valid']);
      // The compliance officer's private key opens the wrap.
      expect(() => escrowUnwrap(message.wrap!, escrow)).not.toThrow();
    });

    it('rate-limits each hook to 100 posts a minute, with a retry time, posting nothing more', async () => {
      const second = await people.alice!.http.request<CreatedWebhook>(
        'POST',
        `/api/conversations/${group.id}/webhooks`,
        {
          name: 'Monitoring',
        },
      );
      expect(second.status).toBe(201);
      for (let i = 0; i < 100; i += 1) {
        const res = await post(second.body.id, JSON.stringify({ text: `alert ${i}` }), { secret: second.body.secret });
        expect([i, res.status]).toEqual([i, 200]);
      }
      const before = await postedCount(group.id);
      const limited = await post(second.body.id, JSON.stringify({ text: 'one too many' }), {
        secret: second.body.secret,
      });
      expect([limited.status, limited.body.error.code]).toEqual([429, 'WEBHOOK_RATE_LIMITED']);
      expect(limited.body.error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(limited.body.error.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(await postedCount(group.id)).toBe(before);
      // The other hook has its own budget.
      expect((await post(hook.id, JSON.stringify({ text: 'still fine' }))).status).toBe(200);
    }, 120_000);
  });

  describe('deleting and auditing', () => {
    it('deletes a hook: its bot leaves the group and its URL is gone', async () => {
      const res = await people.alice!.http.request('DELETE', `/api/conversations/${group.id}/webhooks/${hook.id}`);
      expect(res.status).toBe(204);
      const gone = await post(hook.id, JSON.stringify({ text: 'after delete' }));
      expect([gone.status, gone.body.error.code]).toEqual([404, 'WEBHOOK_NOT_FOUND']);
      const members = await people.bob!.http.request<Array<{ userId: string }>>(
        'GET',
        `/api/conversations/${group.id}/members`,
      );
      expect(members.body.map((m) => m.userId)).not.toContain(hook.botUserId);
      // Its earlier messages keep their badge.
      const bots = await people.carol!.http.request<ConversationBots>('GET', `/api/conversations/${group.id}/bots`);
      expect(bots.body.bots.map((b) => [b.userId, b.avatarUrl])).toContainEqual([hook.botUserId, null]);
      const store = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM webhook_bot_store WHERE device_id IN
        (SELECT id FROM devices WHERE user_id = $1)`,
        [hook.botUserId],
      )) as Array<{ n: number }>;
      expect(store[0]!.n).toBe(0);
    });

    it('audits creation, rotation, deletion and every post — with the size, never the text', async () => {
      for (const action of ['webhook.created', 'webhook.secret_rotated', 'webhook.deleted', 'webhook.posted']) {
        const page = (await admin.request<AuditPage>('GET', `/api/audit/entries?action=${action}&limit=200`)).body;
        expect([action, page.total > 0]).toEqual([action, true]);
      }
      const page = (await admin.request<AuditPage>('GET', `/api/audit/entries?action=webhook.posted&limit=200`)).body;
      const first = page.items.find((e) => e.entry.entity.id === hook.id)!.entry;
      expect(first.context).toMatchObject({ hookId: hook.id, conversationId: group.id });
      expect(first.actor.userId).toBe(hook.botUserId);
      expect(typeof (first.context as { bytes: number }).bytes).toBe('number');
      expect(JSON.stringify(page.items)).not.toContain('Build #42');
    });
  });
});
