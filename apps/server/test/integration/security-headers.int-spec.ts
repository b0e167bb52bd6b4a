import { rmSync } from 'node:fs';
import { TestClient } from '../support/http-client.js';
import { startTestServer, TEST_SETUP_TOKEN, type TestServer } from '../support/test-server.js';
import { fakeWebDist } from '../support/web-dist.js';

/** `directive -> sources` of a Content-Security-Policy header. */
function parseCsp(header: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name, sources);
  }
  return directives;
}

/** The attributes of one Set-Cookie header, names lower-cased: `{ name, value, attrs }`. */
function parseSetCookie(header: string) {
  const [pair, ...rest] = header.split(';').map((p) => p.trim());
  const eq = pair!.indexOf('=');
  const attrs = new Map<string, string>();
  for (const a of rest) {
    const i = a.indexOf('=');
    attrs.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? '' : a.slice(i + 1));
  }
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attrs };
}

/** Paths that answer differently (web app, asset, JSON, 401, 404, health): the headers are on every one of them. */
const PATHS = [
  '/',
  '/assets/app-abc123.js',
  '/api/setup/status',
  '/api/auth/session',
  '/api/nothing-here',
  '/health/live',
];

describe('security headers and session cookie attributes, over http and https PUBLIC_URLs (real PostgreSQL)', () => {
  let http: TestServer;
  let https: TestServer;
  let webDir: string;

  beforeAll(async () => {
    webDir = fakeWebDist();
    http = await startTestServer({ WEB_DIST_DIR: webDir });
    // Still served over plain http locally (TLS ends at a proxy); the public URL is what decides.
    https = await startTestServer({ WEB_DIST_DIR: webDir, PUBLIC_URL: 'https://chat.example.com' });
  });
  afterAll(async () => {
    await http?.close();
    await https?.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it.each([
    ['http', () => http],
    ['https', () => https],
  ])('sends a strict CSP and the framing, sniffing and referrer headers on every answer (%s)', async (_, server) => {
    for (const path of PATHS) {
      const res = await fetch(server().url + path);
      const csp = parseCsp(res.headers.get('content-security-policy') ?? '');
      const where = `${path}: `;
      expect(where + csp.get('default-src')?.join(' ')).toBe(`${where}'self'`);
      expect(where + csp.get('script-src')?.join(' ')).toBe(`${where}'self' 'wasm-unsafe-eval'`);
      expect(where + csp.get('style-src')?.join(' ')).toBe(`${where}'self'`);
      expect(where + csp.get('object-src')?.join(' ')).toBe(`${where}'none'`);
      expect(where + csp.get('frame-ancestors')?.join(' ')).toBe(`${where}'none'`);
      expect(where + csp.get('base-uri')?.join(' ')).toBe(`${where}'self'`);
      expect(where + csp.get('form-action')?.join(' ')).toBe(`${where}'self'`);
      const sources = [...csp.values()].flat();
      expect(sources.filter((s) => ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", '*'].includes(s))).toEqual(
        [],
      );
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('sends HSTS (a year, subdomains) and upgrade-insecure-requests only when PUBLIC_URL is https', async () => {
    for (const path of PATHS) {
      const secure = await fetch(https.url + path);
      expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(parseCsp(secure.headers.get('content-security-policy')!).has('upgrade-insecure-requests')).toBe(true);
      const plain = await fetch(http.url + path);
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      expect(parseCsp(plain.headers.get('content-security-policy')!).has('upgrade-insecure-requests')).toBe(false);
    }
  });

  it.each([
    ['http', () => http, false],
    ['https', () => https, true],
  ])(
    'sets the session cookie HttpOnly, SameSite=Strict, Path=/, Secure only over https (%s)',
    async (_, server, secure) => {
      const admin = new TestClient(server().url);
      const setup = await admin.request('POST', '/api/setup/admin', {
        token: TEST_SETUP_TOKEN,
        login: 'admin',
        displayName: 'Admin',
        password: 'admin-password-1',
      });
      const login = await fetch(`${server().url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'admin', password: 'admin-password-1' }),
      });
      for (const res of [setup, login]) {
        const cookies = res.headers.getSetCookie();
        expect(cookies).toHaveLength(1);
        const cookie = parseSetCookie(cookies[0]!);
        expect(cookie.name).toBe('miyu_session');
        expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(cookie.attrs.has('httponly')).toBe(true);
        expect(cookie.attrs.get('samesite')).toBe('Strict');
        expect(cookie.attrs.get('path')).toBe('/');
        expect(cookie.attrs.has('secure')).toBe(secure);
        expect(cookie.attrs.has('domain')).toBe(false); // host-only: no sibling subdomain receives it
        expect(cookie.attrs.get('max-age')).toBe(String(336 * 3600));
      }
      // Signing out clears it with the same attributes.
      const state = (await login.json()) as { csrfToken: string };
      const session = parseSetCookie(login.headers.getSetCookie()[0]!);
      const logout = await fetch(`${server().url}/api/auth/logout`, {
        method: 'POST',
        headers: { cookie: `miyu_session=${session.value}`, 'x-csrf-token': state.csrfToken },
      });
      expect(logout.status).toBe(204);
      const cleared = parseSetCookie(logout.headers.getSetCookie()[0]!);
      expect(cleared).toMatchObject({ name: 'miyu_session', value: '' });
      expect(cleared.attrs.has('httponly')).toBe(true);
      expect(cleared.attrs.get('samesite')).toBe('Strict');
      expect(cleared.attrs.get('path')).toBe('/');
      expect(cleared.attrs.has('secure')).toBe(secure);
      expect(new Date(cleared.attrs.get('expires')!).getTime()).toBeLessThan(Date.now());
    },
  );
});
