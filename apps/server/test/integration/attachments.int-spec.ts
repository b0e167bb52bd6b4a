import { decryptAttachmentStream, encryptAttachmentStream, ready, toBase64Url } from '@miyu/crypto';
import type { AttachmentDto, ConversationDto, UserDto } from '@miyu/protocol';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttachmentsService } from '../../src/modules/attachments/attachments.service.js';
import { TestClient } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const MAX_BYTES = 24 * 1024 * 1024;

interface ErrorBody {
  error: { code: string; message: string };
}

describe('attachments: resumable encrypted uploads on real disk, members-only downloads (real PostgreSQL)', () => {
  let t: TestServer;
  let filesDir: string;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  let group: ConversationDto;

  async function user(admin: TestClient, login: string): Promise<TestClient> {
    await admin.request<UserDto>('POST', '/api/admin/users', {
      login,
      displayName: login,
      password: `${login}-password-1`,
    });
    const client = new TestClient(t.url);
    await client.login(login, `${login}-password-1`);
    return client;
  }

  /** A raw upload piece: bytes (with Content-Length) or a stream (chunked), as a browser's fetch would send it. */
  function patch(
    client: TestClient,
    id: string,
    offset: number | string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    signal?: AbortSignal,
  ) {
    return fetch(`${t.url}/api/attachments/${id}`, {
      method: 'PATCH',
      headers: {
        cookie: client.cookie!,
        'x-csrf-token': client.csrfToken!,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
      },
      body,
      signal,
      duplex: 'half',
    } as RequestInit);
  }

  function head(client: TestClient, id: string) {
    return fetch(`${t.url}/api/attachments/${id}`, { method: 'HEAD', headers: { cookie: client.cookie! } });
  }

  async function download(client: TestClient, id: string): Promise<{ status: number; bytes: Buffer }> {
    const res = await fetch(`${t.url}/api/attachments/${id}`, { headers: { cookie: client.cookie! } });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  function create(client: TestClient, size: number, digest?: string, conversationId = group.id) {
    return client.request<AttachmentDto & ErrorBody>('POST', `/api/conversations/${conversationId}/attachments`, {
      size,
      ...(digest ? { digest } : {}),
    });
  }

  function partPath(id: string): string {
    return join(filesDir, id.slice(0, 2), `${id}.part`);
  }

  async function sizeOnDisk(id: string): Promise<number> {
    for (const path of [partPath(id), join(filesDir, id.slice(0, 2), id)]) {
      try {
        return (await stat(path)).size;
      } catch {
        /* try the next */
      }
    }
    return -1;
  }

  /** A request body the test feeds by hand, to hold an upload open mid-piece. */
  function controlledStream() {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    return {
      stream,
      push(bytes: Uint8Array) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024));
      },
      close: () => controller.close(),
    };
  }

  beforeAll(async () => {
    await ready();
    filesDir = await mkdtemp(join(tmpdir(), 'miyu-files-'));
    t = await startTestServer({ FILES_DIR: filesDir, ATTACHMENT_MAX_BYTES: String(MAX_BYTES) });
    const admin = new TestClient(t.url);
    await admin.setupAdmin();
    [alice, bob, carol] = await Promise.all([user(admin, 'alice'), user(admin, 'bob'), user(admin, 'carol')]);
    group = (
      await alice.request('POST', '/api/conversations', {
        kind: 'group',
        name: 'files',
        memberIds: [bob.state!.user.id],
      })
    ).body as ConversationDto;
  });
  afterAll(async () => {
    await t?.close();
    await rm(filesDir, { recursive: true, force: true });
  });

  it('uploads real ciphertext in 3 pieces with an interruption, resumes by offset; members download it bit for bit', async () => {
    const plaintext = randomBytes(1024 * 1024 + 123);
    const encrypted = encryptAttachmentStream([plaintext.subarray(0, 400_000), plaintext.subarray(400_000)]);
    const pieces: Uint8Array[] = [];
    for await (const piece of encrypted.stream) pieces.push(piece);
    const blob = Buffer.concat(pieces);
    const { digest } = await encrypted.result;

    const created = await create(alice, blob.length, toBase64Url(digest));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ size: blob.length, offset: 0, complete: false, conversationId: group.id });
    const id = created.body.id;

    const first = await patch(alice, id, 0, blob.subarray(0, 300_000));
    expect(first.status).toBe(200);
    expect(first.headers.get('upload-offset')).toBe('300000');

    // The second piece is cut off mid-way: what reached the server counts, and HEAD says where to resume.
    const body = controlledStream();
    const abort = new AbortController();
    const interrupted = patch(alice, id, 300_000, body.stream, abort.signal).catch((err: Error) => err);
    body.push(blob.subarray(300_000, 500_000));
    await waitFor(async () => (await sizeOnDisk(id)) === 500_000);
    abort.abort();
    expect((await interrupted) as Error).toMatchObject({ name: 'AbortError' });
    await waitFor(async () => (await head(alice, id)).headers.get('upload-offset') === '500000');
    const resumed = await head(alice, id);
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('upload-length')).toBe(String(blob.length));

    // A piece at the wrong offset is refused with the offset to use.
    const wrong = await patch(alice, id, 0, blob.subarray(0, 10));
    expect(wrong.status).toBe(409);
    const wrongBody = (await wrong.json()) as ErrorBody;
    expect(wrongBody.error.code).toBe('ATTACHMENT_OFFSET_MISMATCH');
    expect(wrongBody.error.message).toContain('500000');

    const last = await patch(alice, id, 500_000, blob.subarray(500_000));
    expect(last.status).toBe(200);
    expect(await last.json()).toMatchObject({ offset: blob.length, complete: true });

    const got = await download(bob, id);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(blob)).toBe(true);
    const opened: Uint8Array[] = [];
    for await (const piece of decryptAttachmentStream([got.bytes], {
      key: encrypted.key,
      digest,
      size: plaintext.length,
    })) {
      opened.push(piece);
    }
    expect(Buffer.concat(opened).equals(plaintext)).toBe(true);

    // A complete upload takes no more bytes.
    expect((await patch(alice, id, blob.length, new Uint8Array(1))).status).toBe(409);

    // Not a member: the attachment does not exist, whatever is asked.
    expect(await carol.request('GET', `/api/attachments/${id}/status`)).toMatchObject({
      status: 404,
      body: { error: { code: 'ATTACHMENT_NOT_FOUND' } },
    });
    expect((await download(carol, id)).status).toBe(404);
    expect((await head(carol, id)).status).toBe(404);
  });

  it('lets only members create and only the uploader write', async () => {
    expect(await create(carol, 100)).toMatchObject({
      status: 404,
      body: { error: { code: 'CONVERSATION_NOT_FOUND' } },
    });
    const created = await create(alice, 100);
    const fromBob = await patch(bob, created.body.id, 0, new Uint8Array(100));
    expect(fromBob.status).toBe(404);
    const fromCarol = await patch(carol, created.body.id, 0, new Uint8Array(100));
    expect(((await fromCarol.json()) as ErrorBody).error.code).toBe('ATTACHMENT_NOT_FOUND');
    expect(await sizeOnDisk(created.body.id)).toBe(-1);
    expect(await bob.request('GET', `/api/attachments/${created.body.id}`)).toMatchObject({
      status: 409,
      body: { error: { code: 'ATTACHMENT_INCOMPLETE' } },
    });
  });

  it('refuses oversize attachments and pieces before writing them', async () => {
    // Clients read the limit first, to refuse a file before uploading anything.
    expect((await alice.request('GET', '/api/attachments/limits')).body).toEqual({ maxBytes: MAX_BYTES });
    const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM attachments`);
    expect(await create(alice, MAX_BYTES + 1)).toMatchObject({
      status: 413,
      body: { error: { code: 'ATTACHMENT_TOO_LARGE' } },
    });
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM attachments`)).toEqual(before);

    const small = await create(alice, 1000);
    const declared = await patch(alice, small.body.id, 0, new Uint8Array(1001));
    expect(declared.status).toBe(413);
    expect(await sizeOnDisk(small.body.id)).toBe(-1);

    // Without Content-Length (chunked), the piece is cut at the declared size and nothing of it is kept.
    const body = controlledStream();
    const chunked = patch(alice, small.body.id, 0, body.stream);
    body.push(new Uint8Array(1500));
    body.close();
    const res = await chunked;
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect((await head(alice, small.body.id)).headers.get('upload-offset')).toBe('0');
    expect(await sizeOnDisk(small.body.id)).toBe(0);
  });

  it('rejects ids that are not UUIDs (no path parts ever reach the disk)', async () => {
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', '..', 'not-a-uuid', '%2e%2e%2f' + 'a'.repeat(30)]) {
      const res = await alice.request<ErrorBody>('GET', `/api/attachments/${bad}`);
      expect([400, 404]).toContain(res.status);
      if (res.status === 400) expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await alice.request<ErrorBody>('GET', '/api/attachments/..%2F..%2Fetc%2Fpasswd')).status).toBe(400);
    const res = await patch(alice, '..%2Fx', 0, new Uint8Array(1));
    expect(res.status).toBe(400);
    const badOffset = await patch(alice, (await create(alice, 10)).body.id, '-1', new Uint8Array(1));
    expect(((await badOffset.json()) as ErrorBody).error.code).toBe('VALIDATION_FAILED');
  });

  it('discards an upload whose bytes do not match the declared digest', async () => {
    const created = await create(alice, 64, toBase64Url(new Uint8Array(32)));
    const res = await patch(alice, created.body.id, 0, randomBytes(64));
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.code).toBe('ATTACHMENT_DIGEST_MISMATCH');
    expect((await head(alice, created.body.id)).headers.get('upload-offset')).toBe('0');
    expect(await sizeOnDisk(created.body.id)).toBe(-1);
  });

  it('lets one request write at a time (ATTACHMENT_UPLOAD_IN_PROGRESS for a second one)', async () => {
    const created = await create(alice, 2000);
    const id = created.body.id;
    const body = controlledStream();
    const first = patch(alice, id, 0, body.stream);
    body.push(new Uint8Array(500));
    await waitFor(async () => (await sizeOnDisk(id)) === 500);
    const second = await patch(alice, id, 0, new Uint8Array(10));
    expect(second.status).toBe(409);
    expect(((await second.json()) as ErrorBody).error.code).toBe('ATTACHMENT_UPLOAD_IN_PROGRESS');
    body.push(new Uint8Array(1500));
    body.close();
    expect(await (await first).json()).toMatchObject({ offset: 2000, complete: true });
  });

  it('streams a 20 MiB piece to disk as it arrives instead of buffering it', async () => {
    const total = 20 * 1024 * 1024;
    const created = await create(alice, total);
    const id = created.body.id;
    const body = controlledStream();
    const upload = patch(alice, id, 0, body.stream);
    const block = randomBytes(1024 * 1024);
    for (let i = 0; i < 10; i++) body.push(block);
    // Half the piece is on disk while the request is still open: the server writes as bytes arrive.
    await waitFor(async () => (await sizeOnDisk(id)) >= 9 * 1024 * 1024, 20_000);
    for (let i = 0; i < 10; i++) body.push(block);
    body.close();
    const res = await upload;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ offset: total, complete: true });
    expect(await sizeOnDisk(id)).toBe(total);
  });

  it('sweeps incomplete uploads older than a day, keeping recent and complete ones', async () => {
    const stale = await create(alice, 100);
    await patch(alice, stale.body.id, 0, new Uint8Array(40));
    const recent = await create(alice, 100);
    const done = await create(alice, 10);
    await patch(alice, done.body.id, 0, new Uint8Array(10));
    await t.dataSource.query(`UPDATE attachments SET created_at = now() - interval '2 days' WHERE id = ANY($1)`, [
      [stale.body.id, done.body.id],
    ]);
    const swept = await t.server.app.get(AttachmentsService).sweepIncomplete();
    expect(swept).toBeGreaterThanOrEqual(1);
    const left = (await t.dataSource.query(`SELECT id FROM attachments WHERE id = ANY($1)`, [
      [stale.body.id, recent.body.id, done.body.id],
    ])) as Array<{ id: string }>;
    expect(left.map((r) => r.id).sort()).toEqual([recent.body.id, done.body.id].sort());
    expect(await sizeOnDisk(stale.body.id)).toBe(-1);
    expect(await sizeOnDisk(done.body.id)).toBe(10);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
