import type { AuthState, UserDto } from '@miyu/protocol';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  /** A non-JSON body (file uploads), as sent. */
  rawBody: unknown;
  credentials: RequestCredentials | undefined;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (request: RecordedRequest) => FakeResponse;

/** A route table standing in for the server: `on('POST /api/auth/login', handler)`. */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Handler>();

  on(route: string, handler: Handler | FakeResponse): this {
    this.routes.set(route, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  requestsTo(route: string): RecordedRequest[] {
    const [method, path] = route.split(' ');
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  readonly fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const [path = '', search = ''] = url.split('?');
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = { ...(init?.headers as Record<string, string> | undefined) };
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const request: RecordedRequest = {
      method,
      url,
      path,
      query: new URLSearchParams(search),
      headers,
      body,
      rawBody: typeof init?.body === 'string' ? null : (init?.body ?? null),
      credentials: init?.credentials,
    };
    this.requests.push(request);
    const handler = this.routes.get(`${method} ${path}`);
    const response = handler
      ? handler(request)
      : { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no route' } } };
    const text = response.body === undefined ? '' : JSON.stringify(response.body);
    const responseHeaders = new Map(Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      ok: response.status >= 200 && response.status < 300,
      status: response.status,
      headers: { get: (name: string) => responseHeaders.get(name.toLowerCase()) ?? null },
      text: async () => text,
    } as unknown as Response;
  }) as typeof fetch;
}

export function apiError(status: number, code: string, extra: Record<string, unknown> = {}): FakeResponse {
  return { status, body: { error: { code, message: `server text for ${code}`, ...extra } } };
}

export const ADMIN_ID = '0190a0a0-0000-7000-8000-000000000001';
export const SESSION_ID = '0190a0a0-0000-7000-8000-0000000000a1';
export const OTHER_SESSION_ID = '0190a0a0-0000-7000-8000-0000000000a2';

export function makeUser(overrides: Partial<UserDto> = {}): UserDto {
  return {
    id: ADMIN_ID,
    login: 'admin',
    displayName: '王小明',
    employeeNo: 'E001',
    email: 'admin@example.com',
    phone: null,
    locale: 'zh-CN',
    status: 'active',
    role: 'admin',
    totpEnabled: false,
    createdAt: '2026-11-01T08:00:00.000Z',
    ...overrides,
  };
}

export function makeAuthState(overrides: Partial<UserDto> = {}): AuthState {
  return { user: makeUser(overrides), sessionId: SESSION_ID, csrfToken: 'csrf-token-1' };
}

/** A server that is set up and has no session for this browser. */
export function signedOutServer(): FakeServer {
  return new FakeServer()
    .on('GET /api/setup/status', { status: 200, body: { needsSetup: false } })
    .on('GET /api/auth/session', apiError(401, 'UNAUTHENTICATED'));
}

/** A server where this browser is signed in as `user`. */
export function signedInServer(overrides: Partial<UserDto> = {}): FakeServer {
  return new FakeServer()
    .on('GET /api/setup/status', { status: 200, body: { needsSetup: false } })
    .on('GET /api/auth/session', { status: 200, body: makeAuthState(overrides) });
}
