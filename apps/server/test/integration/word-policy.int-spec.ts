import { ready } from '@miyu/crypto';
import {
  type ConversationDto,
  type FilterHitDto,
  type FilterHitStats,
  type FilterImportPreview,
  type FilterRulePage,
  type FilterTestResult,
  WORD_POLICY_SIGNING_CONTEXT,
  type WordPolicyDocument,
  type WordPolicyResponse,
  type WordPolicyStatus,
} from '@miyu/protocol';
import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { TestClient } from '../support/http-client.js';
import { createPerson, type Person, sendTestMessage } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string; details?: Array<{ path: string; message: string }> } };
type Published = { id: string; version: number };

/** Verifies a signed policy as a client would (with Node's Ed25519 instead of libsodium). */
function verifies(policy: NonNullable<WordPolicyResponse['policy']>): boolean {
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: policy.publicKey },
    format: 'jwk',
  });
  return verify(
    null,
    Buffer.from(WORD_POLICY_SIGNING_CONTEXT + policy.payload, 'utf8'),
    key,
    Buffer.from(policy.signature, 'base64url'),
  );
}

/** Sensitive-word policy (issue 8) against the real server and PostgreSQL: versions, signatures, hits. */
describe('sensitive-word policy (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  let alice: Person;
  let bob: Person;
  let pair: ConversationDto;
  const rules = new Map<string, string>();

  const addRule = async (body: Record<string, unknown>) =>
    admin.request<Published & ErrorBody>('POST', '/api/admin/word-policy/rules', body);
  const current = async () => (await alice.http.request<WordPolicyResponse>('GET', '/api/word-policy')).body.policy;

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    alice = await createPerson(t.url, admin, 'alice');
    bob = await createPerson(t.url, admin, 'bob');
    pair = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', { kind: 'direct', userId: bob.user.id })
    ).body;
  });
  afterAll(async () => {
    [alice, bob].forEach((p) => p?.socket.disconnect());
    await t.close();
  });

  it('has no policy until an admin publishes one, and sends under version 0 pass', async () => {
    expect(await current()).toBeNull();
    expect(await sendTestMessage(alice, pair.id, 'hello')).toMatchObject({ ok: true });
    const status = (await admin.request<WordPolicyStatus>('GET', '/api/admin/word-policy')).body;
    expect(status).toMatchObject({
      version: 0,
      ruleCount: 0,
      options: { foldTraditional: true, skipSeparators: true },
    });
    expect(status.keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('publishes a new signed version on every change, and refuses bad rules with a reason', async () => {
    let version = 0;
    for (const [key, body] of [
      ['block', { type: 'word', pattern: '机密文件', category: '保密', action: 'block' }],
      ['mask', { type: 'word', pattern: '笨蛋', category: '辱骂', action: 'mask' }],
      ['flag', { type: 'word', pattern: '竞争对手', category: '商业', action: 'flag' }],
      ['warn', { type: 'word', pattern: '裁员', category: '人事', action: 'warn' }],
      ['phone', { type: 'pattern', pattern: '1[3-9]\\d{9}', validator: 'none', category: '个人信息', action: 'flag' }],
    ] as const) {
      const res = await addRule(body);
      expect(res.status).toBe(201);
      expect(res.body.version).toBe(++version);
      rules.set(key, res.body.id);
    }
    // The same word in full-width or with invisible characters is the same rule.
    expect(
      (await addRule({ type: 'word', pattern: '机\u200b密文件', category: 'x', action: 'flag' })).body.error.code,
    ).toBe('FILTER_RULE_EXISTS');
    const backref = await addRule({ type: 'pattern', pattern: '(a)\\1', category: 'x', action: 'flag' });
    expect([backref.status, backref.body.error.code]).toEqual([400, 'FILTER_RULE_INVALID']);
    expect(backref.body.error.details?.[0]?.message).toBeTruthy();
    for (const bad of [
      { type: 'word', pattern: '', category: 'x', action: 'block' },
      { type: 'word', pattern: 'x'.repeat(65), category: 'x', action: 'block' },
      { type: 'word', pattern: 'ok', category: 'x', action: 'delete' },
      { type: 'regex', pattern: 'ok', category: 'x', action: 'block' },
    ])
      expect((await addRule(bad)).status).toBe(400);
    const asMember = await alice.http.request<ErrorBody>('POST', '/api/admin/word-policy/rules', {
      type: 'word',
      pattern: '随便',
      category: 'x',
      action: 'block',
    });
    expect(asMember.status).toBe(403);

    const policy = (await current())!;
    expect(policy.version).toBe(version);
    expect(verifies(policy)).toBe(true);
    const document = JSON.parse(policy.payload) as WordPolicyDocument;
    expect(document.rules.map((r) => r.pattern).sort()).toEqual(
      ['1[3-9]\\d{9}', '机密文件', '竞争对手', '笨蛋', '裁员'].sort(),
    );
    // A changed byte anywhere in the payload no longer verifies.
    expect(verifies({ ...policy, payload: policy.payload.replace('"block"', '"flag"') })).toBe(false);

    const page = (
      await admin.request<FilterRulePage>('GET', '/api/admin/word-policy/rules?category=%E4%BF%9D%E5%AF%86')
    ).body;
    expect(page.items.map((r) => r.pattern)).toEqual(['机密文件']);
    expect(page.categories).toContainEqual({ category: '商业', count: 1 });
  });

  it('refuses sends checked under an older version with WORD_POLICY_STALE, and takes the current one', async () => {
    const version = (await current())!.version;
    const stale = await sendTestMessage(alice, pair.id, 'checked long ago', { policyVersion: version - 1 });
    expect(stale).toMatchObject({ ok: false, error: { code: 'WORD_POLICY_STALE' } });
    expect(await sendTestMessage(alice, pair.id, 'checked now', { policyVersion: version })).toMatchObject({
      ok: true,
    });
  });

  it('answers the test box from the published policy, with whitelist precedence', async () => {
    const test = async (text: string) =>
      (await admin.request<FilterTestResult>('POST', '/api/admin/word-policy/test', { text })).body;
    const r = await test('这份机 密 文 件别给笨蛋看');
    expect(r.action).toBe('block');
    expect(r.hits.map((h) => h.text)).toEqual(['机 密 文 件', '笨蛋']);
    expect(r.masked).toContain('**');
    expect(r.masked).not.toContain('笨蛋');
    expect((await test('电话 13812345678')).hits[0]).toMatchObject({ ruleId: rules.get('phone'), action: 'flag' });

    await addRule({ type: 'word', pattern: '习', category: '测试', action: 'block' });
    expect((await test('学习')).action).toBe('block');
    const allow = await admin.request<Published>('POST', '/api/admin/word-policy/whitelist', { phrase: '学习' });
    expect(allow.status).toBe(201);
    expect((await test('好好学习')).action).toBeNull();
    expect((await test('习题')).action).toBe('block');
    expect((await admin.request('POST', '/api/admin/word-policy/test', { text: '' })).status).toBe(400);
  });

  it('files content-free hits from clients once, only for real rules in the reporter’s conversations', async () => {
    const policyVersion = (await current())!.version;
    const clientMsgId = randomUUID();
    const report = (hits: unknown[], who: Person = alice) =>
      who.http.request<{ filed: number } & ErrorBody>('POST', '/api/word-policy/hits', { policyVersion, hits });
    const hit = { ruleId: rules.get('flag'), action: 'flag', conversationId: pair.id, clientMsgId };
    expect((await report([hit])).body.filed).toBe(1);
    expect((await report([hit])).body.filed).toBe(0); // a retried send is filed once
    expect((await report([{ ...hit, ruleId: randomUUID() }])).status).toBe(400);
    const outsider = await createPerson(t.url, admin, 'outsider');
    expect((await report([hit], outsider)).status).toBe(400);
    outsider.socket.disconnect();
    expect((await report([{ ...hit, action: 'mask' }])).status).toBe(400);
    expect(
      (await alice.http.request('POST', '/api/word-policy/hits', { policyVersion: policyVersion + 5, hits: [hit] }))
        .status,
    ).toBe(400);

    const log = (
      await admin.request<{ items: FilterHitDto[]; total: number }>('GET', '/api/admin/word-policy/hits?action=flag')
    ).body;
    expect(log.items[0]).toMatchObject({
      userId: alice.user.id,
      rulePattern: '竞争对手',
      category: '商业',
      action: 'flag',
      source: 'message',
      conversationId: pair.id,
    });
    expect(JSON.stringify(log)).not.toContain('checked'); // no message text anywhere
    const byCategory = (await admin.request<FilterHitStats>('GET', '/api/admin/word-policy/hits/stats?by=category'))
      .body;
    expect(byCategory.rows).toContainEqual({
      key: '商业',
      label: '商业',
      block: 0,
      warn: 0,
      mask: 0,
      flag: 1,
      total: 1,
    });
    const csv = await admin.request<string>('GET', '/api/admin/word-policy/hits/export?action=flag');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe(
      'time,user,departments,rule,category,action,source,conversation,policy_version',
    );
    expect(csv.body).toContain('竞争对手');
    expect((await alice.http.request('GET', '/api/admin/word-policy/hits')).status).toBe(403);
    expect((await admin.request('GET', '/api/admin/word-policy/hits/stats?by=week')).status).toBe(400);
  });

  it('applies the policy to plaintext the server keeps: group names and display names', async () => {
    const blocked = await alice.http.request<ErrorBody>('POST', '/api/conversations', {
      kind: 'group',
      name: '机密文件讨论组',
      memberIds: [bob.user.id],
    });
    expect([blocked.status, blocked.body.error.code]).toEqual([422, 'WORD_FILTER_BLOCKED']);
    expect(blocked.body.error.details).toEqual([{ path: 'group_name', message: '机密文件' }]);
    const masked = await alice.http.request<ConversationDto>('POST', '/api/conversations', {
      kind: 'group',
      name: '笨蛋也能懂',
      memberIds: [bob.user.id],
    });
    expect(masked.body.name).toBe('**也能懂');
    const renamed = await alice.http.request<ErrorBody>('PATCH', `/api/conversations/${masked.body.id}`, {
      topic: '不许裁员',
    });
    expect(renamed.status).toBe(200); // warn: the server cannot ask, so it lets it through and files the hit
    const profile = await bob.http.request<ErrorBody>('PATCH', '/api/auth/profile', { displayName: '机密文件' });
    expect(profile.body.error.code).toBe('WORD_FILTER_BLOCKED');
    const sources = (
      await admin.request<{ items: FilterHitDto[] }>('GET', '/api/admin/word-policy/hits?limit=200')
    ).body.items.map((h) => `${h.source}:${h.action}`);
    expect(sources).toEqual(
      expect.arrayContaining(['group_name:block', 'group_name:mask', 'group_topic:warn', 'display_name:block']),
    );
  });

  it('imports word lists with a preview and error rows, and exports them', async () => {
    const upload = (name: string, body: Buffer | string) =>
      fetch(`${t.url}/api/admin/word-policy/import/preview?fileName=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: {
          cookie: admin.cookie!,
          'x-csrf-token': admin.csrfToken!,
          'content-type': 'application/octet-stream',
        },
        body,
      });
    const csv = '词,分类,动作\n赌博,违法,拦截\n机密文件,保密,标记\n,空,拦截\n赌博,违法,拦截\n代考,,\n';
    const res = await upload('words.csv', csv);
    expect(res.status).toBe(200);
    const preview = (await res.json()) as FilterImportPreview;
    expect(preview.format).toBe('csv');
    expect(preview.rows.map((r) => [r.word, r.category, r.action, r.exists])).toEqual([
      ['赌博', '违法', 'block', false],
      ['机密文件', '保密', 'flag', true],
      ['代考', null, null, false],
    ]);
    expect(preview.errors.map((e) => [e.line, e.code])).toEqual([
      [4, 'WORD_EMPTY'],
      [5, 'DUPLICATE_IN_FILE'],
    ]);
    // GBK text, as Windows Notepad saves it: 敏感词 = C3 F4 B8 D0 B4 CA.
    const gbk = (await (
      await upload('list.txt', Buffer.from([0xc3, 0xf4, 0xb8, 0xd0, 0xb4, 0xca, 0x0a]))
    ).json()) as FilterImportPreview;
    expect(gbk.rows.map((r) => r.word)).toEqual(['敏感词']);
    const pdf = await upload('list.pdf', '%PDF-1.4');
    expect(pdf.status).toBe(400);
    expect(((await pdf.json()) as ErrorBody).error).toMatchObject({
      code: 'IMPORT_UNREADABLE',
      details: [{ path: 'file', message: 'WORD_LIST_FORMAT_UNKNOWN' }],
    });
    expect((await upload('big.txt', Buffer.alloc(5 * 1024 * 1024 + 1, 0x61))).status).toBe(413);

    const before = (await current())!.version;
    const commit = await admin.request<{ added: number; updated: number; version: number }>(
      'POST',
      '/api/admin/word-policy/import',
      {
        rows: preview.rows.map(({ word, category, action }) => ({ word, category, action })),
        defaultCategory: '考试',
        defaultAction: 'block',
      },
    );
    expect(commit.body).toEqual({ added: 2, updated: 1, version: before + 1 });
    const exported = await admin.request<string>('GET', '/api/admin/word-policy/export?format=csv');
    expect(exported.body).toContain('代考,考试,block');
    expect(exported.body).toContain('机密文件,保密,flag');
    const xlsx = await fetch(`${t.url}/api/admin/word-policy/export?format=xlsx`, {
      headers: { cookie: admin.cookie! },
    });
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
  });

  it('keeps whole documents only for recent versions, and reads the hit log by its time index', async () => {
    const id = rules.get('warn')!;
    for (let i = 0; i < 21; i++)
      await admin.request('PUT', `/api/admin/word-policy/rules/${id}`, {
        type: 'word',
        pattern: '裁员',
        category: `人事${i}`,
        action: 'warn',
      });
    const kept = (await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE payload IS NULL)::int AS dropped, count(*)::int AS total,
              count(*) FILTER (WHERE octet_length(signature) = 64)::int AS signed FROM filter_policy_versions`,
    )) as Array<{ dropped: number; total: number; signed: number }>;
    expect(kept[0]!.total - kept[0]!.dropped).toBe(20);
    expect(kept[0]!.signed).toBe(kept[0]!.total);
    expect((await admin.request('DELETE', `/api/admin/word-policy/rules/${randomUUID()}`)).status).toBe(404);

    const qr = t.dataSource.createQueryRunner();
    await qr.connect();
    await qr.query('SET enable_seqscan = off');
    const plan = (
      (await qr.query(
        `EXPLAIN SELECT id FROM filter_hits h WHERE h.occurred_at >= now() - interval '1 day' ORDER BY h.occurred_at DESC, h.id DESC LIMIT 50`,
      )) as Array<{ 'QUERY PLAN': string }>
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    await qr.query('RESET enable_seqscan');
    await qr.release();
    expect(plan).toContain('filter_hits_time_idx');
  });
});
