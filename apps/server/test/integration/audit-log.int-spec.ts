import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  MemoryMerkleTree,
  merkleLeafHash,
  ready,
  utf8Encode,
  verifyMerkleConsistency,
  verifyMerkleInclusion,
} from '@miyu/crypto';
import {
  AUDIT_CHECKPOINT_CONTEXT,
  type AuditConsistencyProof,
  type AuditInclusionProof,
  type AuditPage,
  type SignedAuditCheckpoint,
} from '@miyu/protocol';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditExport } from '../../src/cli/audit-verify/verify-file.js';
import { AUDIT_EVENT, type AuditRecord } from '../../src/modules/audit/audit.events.js';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RECORDS = 2500;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unhex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

/** The audit log's storage (issue 9) against the real server and PostgreSQL: chain, tree, checkpoints, append-only. */
describe('tamper-evident audit log (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  let auditor: TestClient;
  let member: TestClient;
  const tree = new MemoryMerkleTree();
  const dataDir = mkdtempSync(join(tmpdir(), 'miyu-audit-'));

  const size = async () =>
    Number(((await t.dataSource.query(`SELECT size FROM audit_head`)) as Array<{ size: string }>)[0]!.size);
  async function until(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    await ready();
    t = await startTestServer({ DATA_DIR: dataDir });
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    const auditorUser = await createUser(admin, 'auditor');
    await admin.request('PATCH', `/api/admin/users/${auditorUser.id}`, { role: 'auditor' });
    auditor = new TestClient(t.url);
    await auditor.login('auditor', passwordOf('auditor'));
    await createUser(admin, 'member');
    member = new TestClient(t.url);
    await member.login('member', passwordOf('member'));
    await until(async () => (await size()) > 0); // the sign-ins and user changes above
    // Thousands of records at once, as a busy server emits them: batched by one writer, in order.
    const events = t.server.app.get(EventEmitter2);
    for (let i = 0; i < RECORDS; i++) {
      const record: AuditRecord = {
        action: i % 10 === 0 ? 'auth.sign_in' : 'message.sent',
        actor: { userId: admin.state!.user.id, ip: '192.0.2.7', userAgent: 'bench' },
        entity: { type: 'message', id: `m-${i}`, name: null },
        context: { bytes: 100 + i, ratio: 0.5 },
        result: i % 10 === 0 ? { ok: false, reason: 'AUTH_INVALID_CREDENTIALS' } : undefined,
      };
      events.emit(AUDIT_EVENT, record);
    }
    await until(async () => (await size()) >= RECORDS);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('chains every entry to the one before and numbers them without gaps', async () => {
    const rows = (await t.dataSource.query(`SELECT seq, canonical FROM audit_log ORDER BY seq`)) as Array<{
      seq: string;
      canonical: string;
    }>;
    expect(rows.length).toBe(await size());
    let prev = '0'.repeat(64);
    rows.forEach((row, i) => {
      expect(Number(row.seq)).toBe(i + 1);
      const entry = JSON.parse(row.canonical) as { seq: number; prev: string; context: unknown };
      expect(entry.seq).toBe(i + 1);
      expect(entry.prev).toBe(prev);
      const leaf = merkleLeafHash(utf8Encode(row.canonical));
      tree.appendLeafHash(leaf);
      prev = hex(leaf);
    });
    const sample = JSON.parse(rows[rows.length - 1]!.canonical) as { actor: { name: string; ip: string } };
    expect(sample.actor).toMatchObject({ name: 'Admin', ip: '192.0.2.7' });
    // Non-integers are stored as text, so the canonical form stays well defined.
    expect(rows[rows.length - 1]!.canonical).toContain('"ratio":"0.5"');
  });

  it('signs checkpoints every 1,000 entries, and proves inclusion and consistency against them', async () => {
    const sizes = (
      (await t.dataSource.query(`SELECT size FROM audit_checkpoints ORDER BY size`)) as Array<{ size: string }>
    ).map((r) => Number(r.size));
    expect(sizes.filter((s) => s >= 1000).length).toBeGreaterThanOrEqual(2);

    const head = (await auditor.request<SignedAuditCheckpoint>('GET', '/api/audit/checkpoint')).body;
    const n = await size();
    expect(head.checkpoint.size).toBe(n);
    expect(head.checkpoint.root).toBe(hex(tree.root()));
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: head.publicKey }, format: 'jwk' });
    const body = JSON.stringify(head.checkpoint, ['v', 'size', 'root', 'time'].sort());
    expect(
      verify(null, Buffer.from(AUDIT_CHECKPOINT_CONTEXT + body), key, Buffer.from(head.signature, 'base64url')),
    ).toBe(true);

    for (const seq of [1, 2, 999, 1000, 1001, n]) {
      const proof = (
        await auditor.request<AuditInclusionProof>('GET', `/api/audit/proofs/inclusion?seq=${seq}&size=${n}`)
      ).body;
      expect(proof.leafHash).toBe(hex(tree.node(0, seq - 1)));
      expect(verifyMerkleInclusion(unhex(proof.leafHash), seq - 1, n, proof.proof.map(unhex), tree.root())).toBe(true);
      // The same proof does not prove another entry.
      expect(verifyMerkleInclusion(unhex(proof.leafHash), seq % n, n, proof.proof.map(unhex), tree.root())).toBe(false);
    }
    const old = sizes.find((s) => s >= 1000)!;
    const consistency = (
      await auditor.request<AuditConsistencyProof>('GET', `/api/audit/proofs/consistency?from=${old}&to=${n}`)
    ).body;
    const oldTree = new MemoryMerkleTree();
    for (let i = 0; i < old; i++) oldTree.appendLeafHash(tree.node(0, i));
    expect(verifyMerkleConsistency(old, n, consistency.proof.map(unhex), oldTree.root(), tree.root())).toBe(true);
    const stored = (await t.dataSource.query(`SELECT root FROM audit_checkpoints WHERE size = $1`, [old])) as Array<{
      root: Buffer;
    }>;
    expect(hex(stored[0]!.root)).toBe(hex(oldTree.root()));

    const bad = await auditor.request<{ error: { code: string } }>('GET', `/api/audit/proofs/inclusion?seq=${n + 1}`);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'AUDIT_RANGE_INVALID']);
    expect((await auditor.request('GET', `/api/audit/proofs/consistency?from=${n}&to=${n + 5}`)).status).toBe(400);
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the role the server uses', async () => {
    for (const sql of [
      `UPDATE audit_log SET canonical = 'forged' WHERE seq = 1`,
      `DELETE FROM audit_log WHERE seq = 1`,
      `TRUNCATE audit_log`,
      `UPDATE audit_nodes SET hash = hash WHERE level = 0 AND idx = 0`,
      `DELETE FROM audit_nodes`,
      `UPDATE audit_head SET size = 0`,
      `DELETE FROM audit_checkpoints`,
    ])
      await expect(t.dataSource.query(sql)).rejects.toThrow(/append-only/);
    const canonical = (await t.dataSource.query(`SELECT canonical FROM audit_log WHERE seq = 1`)) as Array<{
      canonical: string;
    }>;
    expect(canonical[0]!.canonical).not.toBe('forged');
  });

  it('searches by action, result and actor for admins and auditors only', async () => {
    const failures = (
      await auditor.request<AuditPage>('GET', '/api/audit/entries?action=auth.sign_in&result=failure&limit=5')
    ).body;
    expect(failures.total).toBe(RECORDS / 10);
    expect(failures.items).toHaveLength(5);
    expect(failures.items[0]!.entry.result).toEqual({ ok: false, reason: 'AUTH_INVALID_CREDENTIALS' });
    expect(failures.items[0]!.entry.seq).toBeGreaterThan(failures.items[1]!.entry.seq); // newest first
    const oldest = (
      await admin.request<AuditPage>('GET', `/api/audit/entries?actorId=${admin.state!.user.id}&sort=oldest&limit=1`)
    ).body;
    expect(oldest.items[0]!.entry.actor.userId).toBe(admin.state!.user.id);
    expect(oldest.items[0]!.leafHash).toBe(hex(tree.node(0, oldest.items[0]!.entry.seq - 1)));
    expect((await member.request('GET', '/api/audit/entries')).status).toBe(403);
    expect((await member.request('GET', '/api/audit/checkpoint')).status).toBe(403);
    expect((await auditor.request('GET', '/api/admin/users')).status).toBe(403); // reads audit, administers nothing
    expect((await auditor.request('GET', '/api/audit/entries?action=nope')).status).toBe(400);
    expect((await auditor.request('GET', '/api/audit/entries/999999')).status).toBe(404);
  });

  it('reads the log by its indexes', async () => {
    const qr = t.dataSource.createQueryRunner();
    await qr.connect();
    await qr.query('SET enable_seqscan = off');
    const plan = async (sql: string, params: unknown[]) =>
      ((await qr.query(`EXPLAIN ${sql}`, params)) as Array<{ 'QUERY PLAN': string }>)
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    expect(
      await plan(`SELECT seq FROM audit_log WHERE actor_user_id = $1 ORDER BY seq DESC LIMIT 50`, [
        admin.state!.user.id,
      ]),
    ).toContain('audit_log_actor_idx');
    expect(
      await plan(`SELECT seq FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 50`, ['auth.sign_in']),
    ).toContain('audit_log_action_idx');
    await qr.query('RESET enable_seqscan');
    await qr.release();
  });

  it('purges entries past the retention period only after archiving them, and the rest stays provable', async () => {
    expect((await auditor.request('GET', '/api/audit/settings')).body).toEqual({ retentionDays: null });
    expect((await auditor.request('PUT', '/api/audit/settings', { retentionDays: 365 })).status).toBe(403);
    expect((await admin.request('PUT', '/api/audit/settings', { retentionDays: 7 })).status).toBe(400);
    expect((await admin.request('POST', '/api/audit/settings/purge')).body).toMatchObject({ purged: 0 });
    const set = await admin.request('PUT', '/api/audit/settings', { retentionDays: 30 });
    expect(set.body).toEqual({ retentionDays: 30 });
    // Age the first 100 entries (superuser SQL on this test's database; the trigger would refuse it).
    await t.dataSource.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    await t.dataSource.query(`UPDATE audit_log SET occurred_at = now() - interval '40 days' WHERE seq <= 100`);
    await t.dataSource.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`);

    const purge = await admin.request<{
      purged: number;
      throughSeq: number;
      archive: { file: string; entries: number };
    }>('POST', '/api/audit/settings/purge');
    expect(purge.body).toMatchObject({ purged: 100, throughSeq: 100, archive: { entries: 100 } });
    const archive = join(dataDir, 'audit-archive', purge.body.archive.file);
    expect(existsSync(archive)).toBe(true);
    const report = await verifyAuditExport(archive);
    expect(report.count).toBe(100);

    expect((await auditor.request('GET', '/api/audit/entries/50')).status).toBe(404);
    expect((await auditor.request('GET', '/api/audit/entries/101')).status).toBe(200);
    // The tree outlives its purged entries: proofs still come from the stored nodes.
    const n = await size();
    const head = (await auditor.request<SignedAuditCheckpoint>('GET', '/api/audit/checkpoint')).body;
    for (const seq of [50, 101]) {
      const proof = (
        await auditor.request<AuditInclusionProof>(
          'GET',
          `/api/audit/proofs/inclusion?seq=${seq}&size=${head.checkpoint.size}`,
        )
      ).body;
      expect(
        verifyMerkleInclusion(
          unhex(proof.leafHash),
          seq - 1,
          proof.treeSize,
          proof.proof.map(unhex),
          unhex(head.checkpoint.root),
        ),
      ).toBe(true);
    }
    expect(n).toBeGreaterThan(RECORDS);
    // The purge itself is in the log.
    await until(
      async () => (await admin.request<AuditPage>('GET', '/api/audit/entries?action=audit.purged')).body.total === 1,
    );
  });
});
