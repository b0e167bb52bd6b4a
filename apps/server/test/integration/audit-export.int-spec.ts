import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import archiver from 'archiver';
import { Open } from 'unzipper';
import { canonicalJson, merkleLeafHash, ready } from '@miyu/crypto';
import type { AuditEntry, UserDto } from '@miyu/protocol';
import {
  AUDIT_CSV_COLUMNS,
  type AuditExportEntryLine,
  type AuditExportHeader,
} from '../../src/modules/audit/audit-export-format.js';
import { AuditWriter, type PendingRecord } from '../../src/modules/audit/audit-writer.js';
import { verifyAuditExport, VerifyFailure } from '../../src/cli/audit-verify/verify-file.js';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CLI = resolve(__dirname, '../../dist/cli/audit-verify.js');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const leafOf = (canonical: string) => hex(merkleLeafHash(Buffer.from(canonical, 'utf8')));

/**
 * The built verifier, as an operator runs it. Asynchronously: the server under test runs in this process, and a
 * blocked event loop would let its keep-alive timers race the next request.
 */
function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.once('error', fail);
    child.once('close', (code) => done({ code, out }));
  });
}

/** What the verifier says about a file: `OK …` or `FAILED: <where>: <why>`. */
async function verdict(file: string, key?: string): Promise<string> {
  try {
    const r = await verifyAuditExport(file, { key });
    return `OK: ${r.count} of ${r.size}${r.complete ? ' complete' : ''}`;
  } catch (error) {
    if (error instanceof VerifyFailure) return `FAILED: ${error.where}: ${error.why}`;
    throw error;
  }
}

/**
 * The verifiable audit export (issue 9): GET /api/audit/export streams the signed checkpoint and every matching entry
 * with its inclusion proof; `npm run audit:verify` checks it offline and names the first entry that was tampered
 * with — in the file, or in the database before the export.
 */
describe('audit export and offline verification', () => {
  let t: TestServer;
  let admin: TestClient;
  let auditor: TestClient;
  let member: TestClient;
  let memberUser: UserDto;
  let dir: string;
  let size = 0;
  /** The seq of the i-th record this test wrote (other modules may have audited the setup before). */
  let seqOf: (i: number) => number;

  const download = async (client: TestClient, query: string, name: string) => {
    const res = await fetch(`${t.url}/api/audit/export?${query}`, { headers: { cookie: client.cookie! } });
    const body = Buffer.from(await res.arrayBuffer());
    const file = join(dir, name);
    writeFileSync(file, body);
    return { res, file, body };
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the server first (npm run build)`);
    await ready();
    dir = mkdtempSync(join(tmpdir(), 'miyu-audit-export-'));
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    const auditorUser = await admin.request<UserDto>('POST', '/api/admin/users', {
      login: 'auditor',
      displayName: 'Auditor',
      password: passwordOf('auditor'),
      role: 'auditor',
    });
    expect(auditorUser.status).toBe(201);
    auditor = new TestClient(t.url);
    expect((await auditor.login('auditor', passwordOf('auditor'))).status).toBe(200);
    memberUser = await createUser(admin, 'member', '成员, "quoted"');
    member = new TestClient(t.url);
    expect((await member.login('member', passwordOf('member'))).status).toBe(200);

    // Entries through the real writer (one group commit at a time), with text that stresses CSV and JSON.
    const writer = t.server.app.get(AuditWriter);
    const head = async () =>
      Number(((await t.dataSource.query(`SELECT size FROM audit_head`)) as Array<{ size: string }>)[0]!.size);
    await new Promise((r) => setTimeout(r, 300)); // appends of the setup's own records, if any
    const base = await head();
    seqOf = (i) => base + i + 1;
    const records: PendingRecord[] = [];
    for (let i = 0; i < 150; i++) {
      records.push({
        action: i % 3 === 0 ? 'user.updated' : i % 3 === 1 ? 'auth.sign_in' : 'conversation.created',
        actor: {
          userId: i % 2 === 0 ? memberUser.id : null,
          ip: '127.0.0.1',
          userAgent: i % 5 === 0 ? '=HYPERLINK("http://x")' : 'jest, "agent"',
        },
        entity: { type: 'user', id: memberUser.id, name: i % 7 === 0 ? '-1+1 @SUM(A1)' : `名字 ${i}\r\nline` },
        context: { i, nested: { before: 'a,b', after: '"c"' }, list: [1, 'two', null] },
        result: i % 11 === 0 ? { ok: false, reason: 'denied, "no"' } : undefined,
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      });
    }
    for (const r of records) await writer.record(r);
    size = await head();
    expect(size).toBe(seqOf(149));
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let jsonlFile: string;
  let zipFile: string;
  let fingerprint: string;

  it('streams an unfiltered JSONL export that the built verifier accepts, with the count announced first', async () => {
    const { res, file, body } = await download(admin, 'format=jsonl', 'all.jsonl');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/ndjson/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="miyu-audit-\d+-\w+\.jsonl"/);
    const lines = body.toString('utf8').trimEnd().split('\n');
    const header = JSON.parse(lines[0]!) as AuditExportHeader;
    expect(header).toMatchObject({ type: 'miyu-audit-export', v: 1, filter: {} });
    expect(header.checkpoint.size).toBeGreaterThanOrEqual(size);
    expect(Number(res.headers.get('x-audit-export-count'))).toBe(header.checkpoint.size);
    expect(header.count).toBe(header.checkpoint.size);
    expect(lines).toHaveLength(header.count + 2);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ type: 'end', count: header.count });
    const first = JSON.parse(lines[1]!) as AuditExportEntryLine;
    expect(first).toMatchObject({ type: 'entry', seq: 1, leafHash: leafOf(first.canonical) });
    jsonlFile = file;

    const run = await cli([file]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`complete: entries 1..${header.count}`);
    const ok = new RegExp(
      `^OK: ${header.count} entries verified against checkpoint size ${header.count} root ${header.checkpoint.root} signed ${header.checkpoint.time} by key ([0-9a-f]{64})$`,
      'm',
    );
    expect(run.out).toMatch(ok);
    fingerprint = ok.exec(run.out)![1]!;
    // Pinning the key: by fingerprint or by the key itself; a different key fails at the checkpoint.
    expect((await cli([file, '--key', fingerprint])).code).toBe(0);
    expect((await cli(['--key', header.publicKey, file])).code).toBe(0);
    expect(await cli([file, '--key', 'ab'.repeat(32)])).toMatchObject({
      code: 1,
      out: expect.stringMatching(/^FAILED: checkpoint: signed by key [0-9a-f]{64}, not by the expected key/m),
    });
  });

  it('exports the same entries as a zip of entries.csv + checkpoint.json, readable and verifiable', async () => {
    const { res, file } = await download(admin, 'format=csv', 'all.zip');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = await Open.file(file);
    expect(zip.files.map((f) => f.path).sort()).toEqual(['README.txt', 'checkpoint.json', 'entries.csv']);
    const csv = (await zip.files.find((f) => f.path === 'entries.csv')!.buffer()).toString('utf8');
    expect(csv.startsWith(`\uFEFF${AUDIT_CSV_COLUMNS.join(',')}\r\n`)).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`); // formula guard, then RFC 4180 quoting
    expect(csv).toContain(`"名字 1\r\nline"`);
    const checkpoint = JSON.parse(
      (await zip.files.find((f) => f.path === 'checkpoint.json')!.buffer()).toString('utf8'),
    ) as AuditExportHeader;
    expect(Number(res.headers.get('x-audit-export-count'))).toBe(checkpoint.count);
    zipFile = file;
    const run = await cli([file, '--key', fingerprint]);
    expect(run).toMatchObject({ code: 0, out: expect.stringContaining(`OK: ${checkpoint.count} entries verified`) });
  });

  it('exports filtered entries with proofs; the auditor may export, a member may not', async () => {
    const { res, file } = await download(auditor, `action=user.updated&actorId=${memberUser.id}`, 'filtered.jsonl');
    expect(res.status).toBe(200);
    const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as AuditExportHeader;
    expect(header.filter).toEqual({ action: 'user.updated', actorId: memberUser.id });
    expect(header.count).toBe(25); // i ≡ 0 (mod 6) among 150
    expect(await verdict(file)).toBe(`OK: 25 of ${header.checkpoint.size}`);
    const zip = await download(auditor, 'format=csv&result=failure', 'failures.zip');
    expect(zip.res.status).toBe(200);
    expect(await verdict(zip.file)).toMatch(/^OK: 14 of \d+$/);
    const none = await download(admin, 'action=audit.purged', 'none.jsonl');
    expect(none.res.headers.get('x-audit-export-count')).toBe('0');
    expect(await verdict(none.file)).toMatch(/^OK: 0 of \d+$/);

    const denied = await member.request('GET', '/api/audit/export?format=jsonl');
    expect(denied.status).toBe(403);
    const bad = await admin.request('GET', '/api/audit/export?format=pdf');
    expect(bad.status).toBe(400);
    // Exports are audited themselves (after the checkpoint they were proven against).
    await new Promise((r) => setTimeout(r, 200));
    const exported = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'audit.exported'`,
    )) as Array<{ n: number }>;
    expect(exported[0]!.n).toBeGreaterThanOrEqual(4);
  });

  describe('a tampered JSONL export fails at the entry that was changed', () => {
    let lines: string[];
    const entryLine = (seq: number) => lines.findIndex((l) => l.includes(`"seq":${seq},`) && l.includes('"entry"'));
    const mutate = async (name: string, change: (copy: string[]) => void) => {
      const copy = [...lines];
      change(copy);
      const file = join(dir, name);
      writeFileSync(file, `${copy.join('\n')}\n`);
      return verdict(file);
    };
    const parse = (line: string) => JSON.parse(line) as AuditExportEntryLine;

    beforeAll(() => {
      lines = readFileSync(jsonlFile, 'utf8').trimEnd().split('\n');
    });

    it('altered content: the leaf hash, and with a recomputed leaf hash, the proof', async () => {
      expect(
        await mutate('altered.jsonl', (copy) => {
          const i = entryLine(seqOf(39));
          copy[i] = copy[i]!.replace('名字', '别人');
        }),
      ).toBe(`FAILED: entry ${seqOf(39)}: the leaf hash does not match the entry text (SHA-256(0x00 || canonical))`);
      expect(
        await mutate('altered-rehashed.jsonl', (copy) => {
          const i = entryLine(seqOf(40));
          const e = parse(copy[i]!);
          const entry = JSON.parse(e.canonical) as AuditEntry;
          entry.result = { ok: true, reason: null };
          entry.actor.ip = '10.0.0.1';
          e.canonical = canonicalJson(entry);
          e.leafHash = leafOf(e.canonical);
          copy[i] = JSON.stringify(e);
        }),
      ).toMatch(new RegExp(`^FAILED: entry ${seqOf(40)}: not included in the signed tree`));
    });

    it('a deleted entry', async () => {
      const k = seqOf(76);
      expect(await mutate('deleted.jsonl', (copy) => copy.splice(entryLine(k), 1))).toBe(
        `FAILED: entry ${k}: missing or out of order: the export is unfiltered, but entry ${k + 1} follows entry ${k - 1}`,
      );
      // …even with the counts adjusted to hide it.
      expect(
        await mutate('deleted-recounted.jsonl', (copy) => {
          copy.splice(entryLine(k), 1);
          const header = JSON.parse(copy[0]!) as AuditExportHeader;
          copy[0] = JSON.stringify({ ...header, count: header.count - 1 });
          copy[copy.length - 1] = JSON.stringify({ type: 'end', count: header.count - 1 });
        }),
      ).toMatch(new RegExp(`^FAILED: entry ${k}: missing`));
      expect(await mutate('last-deleted.jsonl', (copy) => copy.splice(copy.length - 2, 1))).toMatch(
        /^FAILED: entry \d+: missing: the export is unfiltered, but it ends at entry/,
      );
      expect(await mutate('truncated.jsonl', (copy) => copy.splice(copy.length - 1, 1))).toBe(
        'FAILED: file: truncated: the end line is missing',
      );
    });

    it('two entries swapped', async () => {
      expect(
        await mutate('reordered.jsonl', (copy) => {
          const i = entryLine(seqOf(89));
          [copy[i], copy[i + 1]] = [copy[i + 1]!, copy[i]!];
        }),
      ).toBe(
        `FAILED: entry ${seqOf(89)}: missing or out of order: the export is unfiltered, but entry ${seqOf(90)} follows entry ${seqOf(88)}`,
      );
      // In a filtered export there is no chain to follow, but the order still is checked.
      const filtered = readFileSync(join(dir, 'filtered.jsonl'), 'utf8').trimEnd().split('\n');
      [filtered[3], filtered[4]] = [filtered[4]!, filtered[3]!];
      writeFileSync(join(dir, 'filtered-reordered.jsonl'), `${filtered.join('\n')}\n`);
      const second = parse(filtered[4]!).seq;
      expect(await verdict(join(dir, 'filtered-reordered.jsonl'))).toBe(
        `FAILED: entry ${second}: out of order: it follows entry ${parse(filtered[3]!).seq}`,
      );
    });

    it('a forged entry inserted, with a correct leaf hash, chained and given a real proof', async () => {
      expect(
        await mutate('forged.jsonl', (copy) => {
          const i = entryLine(seqOf(99));
          const real = parse(copy[i]!);
          const entry = JSON.parse(real.canonical) as AuditEntry;
          const forged: AuditEntry = { ...entry, action: 'user.role_changed', context: { role: 'admin' } };
          const canonical = canonicalJson(forged);
          copy.splice(i, 0, JSON.stringify({ ...real, canonical, leafHash: leafOf(canonical) }));
        }),
      ).toMatch(new RegExp(`^FAILED: entry ${seqOf(99)}: not included in the signed tree`));
      expect(
        await mutate('forged-end.jsonl', (copy) => {
          const last = parse(copy[copy.length - 2]!);
          const entry = JSON.parse(last.canonical) as AuditEntry;
          const canonical = canonicalJson({ ...entry, seq: last.seq + 1, prev: last.leafHash });
          copy.splice(
            copy.length - 1,
            0,
            JSON.stringify({ ...last, seq: last.seq + 1, canonical, leafHash: leafOf(canonical) }),
          );
        }),
      ).toMatch(/^FAILED: entry \d+: beyond the checkpoint/);
    });

    it('a tampered checkpoint: signature, root or size', async () => {
      const header = JSON.parse(lines[0]!) as AuditExportHeader;
      const flip = (s: string) => (s[5] === 'A' ? 'B' : 'A');
      expect(
        await mutate('bad-signature.jsonl', (copy) => {
          copy[0] = JSON.stringify({
            ...header,
            signature: header.signature.slice(0, 5) + flip(header.signature) + header.signature.slice(6),
          });
        }),
      ).toMatch(/^FAILED: checkpoint: the signature does not verify with key [0-9a-f]{64}$/);
      expect(
        await mutate('bad-size.jsonl', (copy) => {
          copy[0] = JSON.stringify({
            ...header,
            checkpoint: { ...header.checkpoint, size: header.checkpoint.size - 1 },
          });
        }),
      ).toMatch(/^FAILED: checkpoint: the signature does not verify/);
      expect(
        await mutate('bad-root.jsonl', (copy) => {
          copy[0] = JSON.stringify({ ...header, checkpoint: { ...header.checkpoint, root: '0'.repeat(64) } });
        }),
      ).toMatch(/^FAILED: checkpoint: the signature does not verify/);
      // The CLI prints the key, and exits 1.
      expect(await cli([join(dir, 'bad-signature.jsonl')])).toMatchObject({
        code: 1,
        out: expect.stringMatching(/^key: [0-9a-f]{64}\nFAILED: checkpoint: /),
      });
    });
  });

  it('a tampered zip export fails at the row that was changed, readable columns included', async () => {
    const zip = await Open.file(zipFile);
    const read = async (name: string) => (await zip.files.find((f) => f.path === name)!.buffer()).toString('utf8');
    const [csv, checkpoint, readme] = await Promise.all([
      read('entries.csv'),
      read('checkpoint.json'),
      read('README.txt'),
    ]);
    const rezip = async (name: string, entries: string, cp = checkpoint) => {
      const file = join(dir, name);
      const archive = archiver('zip');
      const chunks: Buffer[] = [];
      archive.on('data', (c: Buffer) => chunks.push(c));
      const done = new Promise((r) => archive.on('end', r));
      archive.append(cp, { name: 'checkpoint.json' });
      archive.append(readme, { name: 'README.txt' });
      archive.append(entries, { name: 'entries.csv' });
      await archive.finalize();
      await done;
      writeFileSync(file, Buffer.concat(chunks));
      return verdict(file);
    };
    expect(await rezip('same.zip', csv)).toMatch(/^OK: \d+ of \d+ complete$/);
    // Physical lines (quoted fields hold line breaks); the record of entry `seq` runs up to the next one's line.
    const physical = csv.split('\r\n');
    const record = (seq: number) => {
      const from = physical.findIndex((l) => l.startsWith(`${seq},`));
      const to = physical.findIndex((l) => l.startsWith(`${seq + 1},`));
      return { from, count: to - from };
    };
    const k = seqOf(11);
    // A readable column changed (what a person reads), the canonical text left alone.
    const readable = [...physical];
    readable[record(k).from] = readable[record(k).from]!.replace('127.0.0.1', '127.0.0.2');
    expect(await rezip('readable.zip', readable.join('\r\n'))).toBe(
      `FAILED: entry ${k}: column ip does not match the entry text`,
    );
    // The canonical text changed (its prev).
    const canonical = [...physical];
    const { from, count } = record(k);
    const last = from + count - 1;
    canonical[last] = canonical[last]!.replace(
      /(""prev"":"")([0-9a-f])/,
      (_m, p: string, c: string) => `${p}${c === 'a' ? 'b' : 'a'}`,
    );
    expect(canonical[last]).not.toBe(physical[last]);
    expect(await rezip('canonical.zip', canonical.join('\r\n'))).toMatch(
      new RegExp(`^FAILED: entry ${k}: the leaf hash does not match`),
    );
    const deleted = [...physical];
    deleted.splice(from, count);
    expect(await rezip('deleted.zip', deleted.join('\r\n'))).toMatch(new RegExp(`^FAILED: entry ${k}: missing`));
    const cp = JSON.parse(checkpoint) as AuditExportHeader;
    expect(
      await rezip(
        'checkpoint.zip',
        csv,
        JSON.stringify({ ...cp, checkpoint: { ...cp.checkpoint, time: new Date(0).toISOString() } }),
      ),
    ).toMatch(/^FAILED: checkpoint: the signature does not verify/);
  });

  it('usage errors exit 2', async () => {
    expect(await cli([])).toMatchObject({ code: 2, out: expect.stringContaining('Usage: npm run audit:verify') });
    expect(await cli([join(dir, 'no-such-file.jsonl')])).toMatchObject({
      code: 2,
      out: expect.stringContaining('cannot read'),
    });
    expect(await cli([dir])).toMatchObject({ code: 2, out: expect.stringContaining('is not a file') });
    expect(await cli([jsonlFile, '--bogus'])).toMatchObject({
      code: 2,
      out: expect.stringContaining('Unknown option --bogus'),
    });
    writeFileSync(join(dir, 'garbage.jsonl'), 'hello\n');
    expect(await cli([join(dir, 'garbage.jsonl')])).toMatchObject({ code: 1, out: 'FAILED: line 1: not JSON\n' });
  });

  it('a row altered in the database (superuser, trigger disabled) fails verification at that entry', async () => {
    // The append-only trigger stops everyone, superusers included; a superuser can still switch it off.
    const k = seqOf(33); // user.updated, failed
    await expect(t.dataSource.query(`UPDATE audit_log SET canonical = canonical WHERE seq = $1`, [k])).rejects.toThrow(
      /append-only/,
    );
    await t.dataSource.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    try {
      await t.dataSource.query(
        `UPDATE audit_log SET canonical = replace(canonical, '"ok":false', '"ok":true') WHERE seq = $1`,
        [k],
      );
    } finally {
      await t.dataSource.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`);
    }
    const { res, file } = await download(admin, 'format=jsonl', 'after-tamper.jsonl');
    expect(res.status).toBe(200);
    expect(await verdict(file)).toMatch(new RegExp(`^FAILED: entry ${k}: not included in the signed tree`));
    const zip = await download(admin, 'format=csv', 'after-tamper.zip');
    expect(await cli([zip.file])).toMatchObject({
      code: 1,
      out: expect.stringMatching(new RegExp(`^FAILED: entry ${k}: not included`, 'm')),
    });
    // A filtered export that holds the entry fails there too.
    const filtered = await download(admin, 'action=user.updated', 'after-tamper-filtered.jsonl');
    expect(await verdict(filtered.file)).toMatch(new RegExp(`^FAILED: entry ${k}: not included`));
  });
});
