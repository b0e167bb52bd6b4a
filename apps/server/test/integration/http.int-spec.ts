import { rmSync } from 'node:fs';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { PUBLIC_KEY } from '../../src/modules/auth/auth.decorators.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { fakeWebDist } from '../support/web-dist.js';

/** The only routes reachable without a session. Adding one is a security decision: change this list on purpose. */
const PUBLIC_ROUTES = [
  'GET /api/setup/status',
  'POST /api/setup/admin',
  'POST /api/auth/login',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /api/auth/methods', // what the login screen offers
  'GET /api/auth/oidc/start', // OIDC sign-in: a browser navigation before any session
  'GET /api/auth/oidc/callback', // OIDC sign-in: the provider's redirect back (state-checked)
  'POST /hooks/:id', // incoming webhooks: authenticated by their HMAC signature
].sort();

describe('HTTP surface: health, metrics, OpenAPI, security headers, web app', () => {
  let t: TestServer;
  let webDir: string;

  beforeAll(async () => {
    webDir = fakeWebDist();
    t = await startTestServer({ WEB_DIST_DIR: webDir, METRICS_TOKEN: 'metrics-secret-token' });
  });
  afterAll(async () => {
    await t.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('reports liveness and readiness (database reachable, migrations current)', async () => {
    expect(await (await fetch(`${t.url}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', migrations: 'current' } });
  });

  it('reports not ready when a migration is pending', async () => {
    const [last] = (await t.dataSource.query(
      `SELECT timestamp, name FROM schema_migrations ORDER BY timestamp DESC LIMIT 1`,
    )) as Array<{ timestamp: string; name: string }>;
    await t.dataSource.query(`DELETE FROM schema_migrations WHERE name = $1`, [last!.name]);
    try {
      const res = await fetch(`${t.url}/health/ready`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ checks: { migrations: 'pending' } });
    } finally {
      await t.dataSource.query(`INSERT INTO schema_migrations (timestamp, name) VALUES ($1, $2)`, [
        last!.timestamp,
        last!.name,
      ]);
    }
  });

  it('serves Prometheus metrics behind METRICS_TOKEN', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret-token' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('miyu_http_requests_total');
    expect(text).toContain('miyu_socket_connections');
    expect(text).toMatch(/miyu_http_requests_total\{method="GET",route="\/health\/live",status="200"\} \d+/);
  });

  it('publishes an OpenAPI document whose request bodies come from the zod schemas', async () => {
    const doc = (await (await fetch(`${t.url}/api/docs/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>
      >;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/login',
        '/api/auth/sessions',
        '/api/admin/users',
        '/api/setup/admin',
        '/health/ready',
      ]),
    );
    const login = doc.paths['/api/auth/login']!.post!.requestBody!.content['application/json']!.schema;
    expect(Object.keys(login.properties ?? {})).toEqual(expect.arrayContaining(['login', 'password', 'totpCode']));
    expect((await fetch(`${t.url}/api/docs`)).status).toBe(200);
  });

  it('sends a strict CSP that allows only WebAssembly compilation beyond self, and no inline code', async () => {
    const res = await fetch(`${t.url}/api/setup/status`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval'(?!)|\*/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the web client on the same origin with SPA fallback and immutable assets', async () => {
    const root = await fetch(`${t.url}/`);
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('<div id="root">');
    expect(root.headers.get('cache-control')).toBe('no-cache');
    const deepLink = await fetch(`${t.url}/setup`);
    expect(await deepLink.text()).toContain('<div id="root">');
    const asset = await fetch(`${t.url}/assets/app-abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${t.url}/assets/missing.js`)).status).toBe(404);
    const api404 = await fetch(`${t.url}/api/unknown`);
    expect(api404.status).toBe(404);
    expect(await api404.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('requires a session on every route except an explicit allowlist', () => {
    const reflector = new Reflector();
    const publicRoutes: string[] = [];
    let total = 0;
    for (const module of t.server.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
        if (!controller) continue;
        const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = (controller.prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
          if (path === undefined) continue;
          total += 1;
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
          const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [handler, controller]);
          if (isPublic) publicRoutes.push(`${method} /${[base, path].filter((p) => p && p !== '/').join('/')}`);
        }
      }
    }
    expect(total).toBeGreaterThan(15);
    expect(publicRoutes.sort()).toEqual(PUBLIC_ROUTES);
  });

  it('limits API requests per client IP with 429 and Retry-After', async () => {
    const limited = await startTestServer({ API_RATE_LIMIT_PER_MINUTE: '10' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await fetch(`${limited.url}/api/setup/status`)).status);
      expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
      const res = await fetch(`${limited.url}/api/setup/status`);
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      // Health checks are not rate limited.
      expect((await fetch(`${limited.url}/health/live`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
