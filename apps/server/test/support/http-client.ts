import type { AuthState } from '@miyu/protocol';
import { TEST_SETUP_TOKEN } from './test-server.js';

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny cookie-keeping client over fetch, acting like one browser: it sends the session cookie and CSRF token. */
export class TestClient {
  cookie: string | null = null;
  csrfToken: string | null = null;
  state: AuthState | null = null;

  constructor(readonly baseUrl: string) {}

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined && typeof body !== 'string') h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrfToken && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrfToken;
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? null : pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async login(login: string, password: string, extra: Record<string, string> = {}): Promise<HttpResult<AuthState>> {
    const res = await this.request<AuthState>('POST', '/api/auth/login', { login, password, ...extra });
    if (res.status === 200) this.adopt(res.body);
    return res;
  }

  async setupAdmin(login = 'admin', password = 'admin-password-1'): Promise<AuthState> {
    const res = await this.request<AuthState>('POST', '/api/setup/admin', {
      token: TEST_SETUP_TOKEN,
      login,
      displayName: 'Admin',
      password,
    });
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`setup failed: ${res.status} ${JSON.stringify(res.body)}`);
    this.adopt(res.body);
    return res.body;
  }

  adopt(state: AuthState): void {
    this.state = state;
    this.csrfToken = state.csrfToken;
  }
}
