import { z } from 'zod';
import { ApiError, createApiClient } from './apiClient';
import { FakeServer, apiError } from '../test/fakeServer';

describe('apiClient', () => {
  const okSchema = z.object({ ok: z.boolean() });

  function client(server: FakeServer, token: string | null = 'tok') {
    return createApiClient({ getCsrfToken: () => token, fetch: server.fetch });
  }

  it('sends cookies same-origin and the CSRF token only on state-changing requests', async () => {
    const server = new FakeServer()
      .on('GET /api/x', { status: 200, body: { ok: true } })
      .on('POST /api/x', { status: 200, body: { ok: true } })
      .on('DELETE /api/x', { status: 204 });
    const api = client(server);

    await api.get('/api/x', okSchema);
    await api.post('/api/x', okSchema, { body: { a: 1 } });
    await api.delete('/api/x');

    const [get, post, del] = server.requests;
    expect(get?.credentials).toBe('same-origin');
    expect(get?.headers['x-csrf-token']).toBeUndefined();
    expect(post?.headers['x-csrf-token']).toBe('tok');
    expect(post?.headers['Content-Type']).toBe('application/json');
    expect(post?.body).toEqual({ a: 1 });
    expect(del?.headers['x-csrf-token']).toBe('tok');
  });

  it('leaves empty query values out of the URL', async () => {
    const server = new FakeServer().on('GET /api/list', { status: 200, body: { ok: true } });
    await client(server).get('/api/list', okSchema, { query: { q: '', limit: 20, offset: 0, x: undefined } });
    expect(server.requests[0]?.url).toBe('/api/list?limit=20&offset=0');
  });

  it('turns an error body into a typed ApiError', async () => {
    const server = new FakeServer().on(
      'POST /api/auth/login',
      apiError(429, 'RATE_LIMITED', { retryAfterSeconds: 30, requestId: 'req-1' }),
    );
    const failure = await client(server, null)
      .post('/api/auth/login', okSchema, { body: {} })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 30, requestId: 'req-1' });
  });

  it('keeps validation details and falls back to Retry-After', async () => {
    const server = new FakeServer()
      .on('POST /api/a', apiError(400, 'VALIDATION_FAILED', { details: [{ path: 'password', message: 'short' }] }))
      .on('POST /api/b', { status: 503, body: 'not json', headers: { 'Retry-After': '12' } });
    const api = client(server);
    await expect(api.post('/api/a', okSchema)).rejects.toMatchObject({
      details: [{ path: 'password', message: 'short' }],
    });
    await expect(api.post('/api/b', okSchema)).rejects.toMatchObject({
      status: 503,
      code: 'HTTP_503',
      retryAfterSeconds: 12,
    });
  });

  it('reports network failures and unexpected bodies with client codes', async () => {
    const failing = createApiClient({
      getCsrfToken: () => null,
      fetch: (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch,
    });
    await expect(failing.get('/api/x', okSchema)).rejects.toMatchObject({ status: 0, code: 'NETWORK' });

    const server = new FakeServer().on('GET /api/x', { status: 200, body: { ok: 'yes' } });
    await expect(client(server).get('/api/x', okSchema)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});
