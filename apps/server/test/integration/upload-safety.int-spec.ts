import type { AttachmentDto, ConversationDto } from '@miyu/protocol';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const MAX_BYTES = 64 * 1024;

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}

/** What a hostile uploader would like the browser to run in our origin. */
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/api/auth/session")</script></body></html>');

/**
 * Uploads are opaque ciphertext: the server takes no declared file type, accepts upload pieces only as raw octets,
 * bounds sizes (413), and serves every blob so that no browser renders it in our origin.
 */
describe('upload types and sizes, and how stored files are served (real PostgreSQL)', () => {
  let t: TestServer;
  let filesDir: string;
  let admin: TestClient;
  let alice: TestClient;
  let bob: TestClient;
  let group: ConversationDto;

  async function signedIn(login: string): Promise<TestClient> {
    await createUser(admin, login);
    const client = new TestClient(t.url);
    await client.login(login, passwordOf(login));
    return client;
  }

  function patch(id: string, body: Uint8Array, contentType: string | null, offset = 0) {
    const headers: Record<string, string> = {
      cookie: alice.cookie!,
      'x-csrf-token': alice.csrfToken!,
      'upload-offset': String(offset),
    };
    if (contentType !== null) headers['content-type'] = contentType;
    return fetch(`${t.url}/api/attachments/${id}`, { method: 'PATCH', headers, body });
  }

  async function offsetOf(id: string): Promise<string | null> {
    const res = await fetch(`${t.url}/api/attachments/${id}`, { method: 'HEAD', headers: { cookie: alice.cookie! } });
    return res.headers.get('upload-offset');
  }

  beforeAll(async () => {
    filesDir = await mkdtemp(join(tmpdir(), 'miyu-files-'));
    t = await startTestServer({ FILES_DIR: filesDir, ATTACHMENT_MAX_BYTES: String(MAX_BYTES) });
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    alice = await signedIn('alice');
    bob = await signedIn('bob');
    group = (
      await alice.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: 'files',
        memberIds: [bob.state!.user.id],
      })
    ).body;
  });
  afterAll(async () => {
    await t?.close();
    await rm(filesDir, { recursive: true, force: true });
  });

  it('takes no declared file type and refuses sizes outside 1..ATTACHMENT_MAX_BYTES', async () => {
    const create = (body: unknown) =>
      alice.request<ErrorBody>('POST', `/api/conversations/${group.id}/attachments`, body);
    const typed = await create({ size: HTML.length, mimeType: 'text/html' });
    expect(typed.status).toBe(400);
    expect(typed.body.error.code).toBe('VALIDATION_FAILED');
    expect((await create({ size: 0 })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await create({ size: -1 })).body.error.code).toBe('VALIDATION_FAILED');
    const tooLarge = await create({ size: MAX_BYTES + 1 });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(tooLarge.body.error.message).toContain(String(MAX_BYTES));
  });

  it('accepts upload pieces only as raw octets: HTML, JSON, SVG, forms or no type are refused before writing', async () => {
    const created = await alice.request<AttachmentDto>('POST', `/api/conversations/${group.id}/attachments`, {
      size: HTML.length,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    for (const type of ['text/html', 'image/svg+xml', 'multipart/form-data; boundary=x', 'text/plain', null]) {
      const res = await patch(id, HTML, type);
      const body = (await res.json()) as ErrorBody;
      expect({ type, status: res.status, code: body.error.code, field: body.error.details?.[0]?.path }).toEqual({
        type,
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'content-type',
      });
    }
    // A JSON type sends the body to the JSON parser first, which refuses it as well.
    const json = await patch(id, HTML, 'application/json');
    expect(json.status).toBe(400);
    expect(((await json.json()) as ErrorBody).error.code).toBe('MALFORMED_REQUEST');
    expect(await offsetOf(id)).toBe('0');

    // A piece larger than the declared size is refused with 413 before any byte is kept.
    const over = await patch(id, Buffer.concat([HTML, Buffer.from('x')]), 'application/offset+octet-stream');
    expect(over.status).toBe(413);
    expect(((await over.json()) as ErrorBody).error.code).toBe('ATTACHMENT_TOO_LARGE');
    expect(await offsetOf(id)).toBe('0');
  });

  it('serves a stored blob as an octet-stream download, never as a page, whatever its bytes are', async () => {
    const created = await alice.request<AttachmentDto>('POST', `/api/conversations/${group.id}/attachments`, {
      size: HTML.length,
    });
    const id = created.body.id;
    expect((await patch(id, HTML, 'application/offset+octet-stream')).status).toBe(200);
    for (const client of [alice, bob]) {
      const res = await fetch(`${t.url}/api/attachments/${id}`, { headers: { cookie: client.cookie! } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toBe('attachment');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(Buffer.from(await res.arrayBuffer()).equals(HTML)).toBe(true);
    }
  });

  it('serves admin exports (user-controlled text) as attachments, not inline', async () => {
    const res = await fetch(`${t.url}/api/admin/directory/export?format=csv`, { headers: { cookie: admin.cookie! } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="directory\.csv"$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
