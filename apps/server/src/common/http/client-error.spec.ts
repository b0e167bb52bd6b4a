import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { jsonClientErrors } from './client-error.js';

/**
 * Writes raw bytes to the server and returns everything it answers before closing. With `after`, those bytes go on
 * the same connection once the first answer has arrived (keep-alive, not pipelining).
 */
function exchange(server: Server, raw: string, after?: string): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => (after ? socket.write(raw) : socket.end(raw)));
    let out = '';
    socket.on('data', (c: Buffer) => {
      out += c.toString();
      if (after && out.endsWith('ok')) socket.end(after);
    });
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('jsonClientErrors', () => {
  let server: Server;

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    jsonClientErrors(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('answers an oversized request line with 431 and our error shape', async () => {
    const out = await exchange(server, `GET /?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) as unknown },
    });
  });

  it('answers on a keep-alive connection that already carried a response', async () => {
    const out = await exchange(
      server,
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      `GET /?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(out).toMatch(/^HTTP\/1\.1 200 /);
    expect(out).toContain('HTTP/1.1 431 ');
    expect(out).toContain('"code":"PAYLOAD_TOO_LARGE"');
  });

  it('answers HEAD without a body', async () => {
    const out = await exchange(server, `HEAD /?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 431 /);
    expect(out).toMatch(/Content-Length: 0\r\n/);
    expect(out.endsWith('\r\n\r\n')).toBe(true);
  });

  it('answers bytes that are not HTTP with 400 MALFORMED_REQUEST', async () => {
    const out = await exchange(server, 'NOT HTTP AT ALL\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 400 /);
    expect(out).toContain('"code":"MALFORMED_REQUEST"');
  });

  it('still serves well-formed requests', async () => {
    const out = await exchange(server, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(out).toMatch(/^HTTP\/1\.1 200 /);
  });
});
