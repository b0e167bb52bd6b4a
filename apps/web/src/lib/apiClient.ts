import type { z } from 'zod';
import { CSRF_HEADER, type ApiErrorDetail } from '@miyu/protocol';

/** Codes the client itself produces when there is no usable error body. */
export const ClientErrorCode = {
  NETWORK: 'NETWORK',
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const;

/**
 * A failed API call. `code` is what the UI translates; `message` is the server's text, for logs only —
 * never shown to people.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds: number | null;
  readonly details: ApiErrorDetail[];
  readonly requestId: string | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    retryAfterSeconds?: number | null;
    details?: ApiErrorDetail[];
    requestId?: string | null;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.details = init.details ?? [];
    this.requestId = init.requestId ?? null;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  /** A file sent as the raw request body (imports) instead of JSON; `contentType` names its type. */
  file?: { data: Blob; contentType: string };
  query?: Record<string, string | number | undefined | null>;
  /** Extra request headers (e.g. `Upload-Offset` on an upload piece). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiClient {
  get<T>(path: string, schema: z.ZodType<T>, options?: RequestOptions): Promise<T>;
  post<T>(path: string, schema: z.ZodType<T>, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, schema: z.ZodType<T>, options?: RequestOptions): Promise<T>;
  put<T>(path: string, schema: z.ZodType<T>, options?: RequestOptions): Promise<T>;
  delete(path: string, options?: RequestOptions): Promise<void>;
  /** For endpoints that answer 204 No Content. */
  send(method: Method, path: string, options?: RequestOptions): Promise<void>;
  /** A binary response (downloads); errors are parsed like JSON answers. */
  download(path: string, options?: RequestOptions): Promise<Blob>;
}

export interface ApiClientConfig {
  /** The CSRF token of the current session, read at request time (it changes on sign-in). */
  getCsrfToken: () => string | null;
  fetch?: typeof fetch;
}

function buildUrl(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Turns a non-2xx answer into an ApiError, whatever its body looks like. */
export function toApiError(status: number, body: unknown, retryAfterHeader: string | null): ApiError {
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
  const rawCode = error?.['code'];
  const code = typeof rawCode === 'string' && rawCode.length > 0 ? rawCode : `HTTP_${status}`;
  const message = typeof error?.['message'] === 'string' ? error['message'] : `HTTP ${status}`;
  let retryAfterSeconds: number | null = null;
  if (typeof error?.['retryAfterSeconds'] === 'number') retryAfterSeconds = error['retryAfterSeconds'];
  else if (retryAfterHeader && /^\d+$/.test(retryAfterHeader)) retryAfterSeconds = Number(retryAfterHeader);
  const details = Array.isArray(error?.['details'])
    ? error['details'].filter(
        (d): d is ApiErrorDetail => isRecord(d) && typeof d['path'] === 'string' && typeof d['message'] === 'string',
      )
    : [];
  const requestId = typeof error?.['requestId'] === 'string' ? error['requestId'] : null;
  return new ApiError({
    status,
    code,
    message,
    retryAfterSeconds,
    details,
    requestId,
  });
}

export function createApiClient(config: ApiClientConfig): ApiClient {
  const doFetch = config.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function fetchRaw(method: Method, path: string, options: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept, ...options.headers };
    if (options.file) headers['Content-Type'] = options.file.contentType;
    else if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') {
      const token = config.getCsrfToken();
      if (token) headers[CSRF_HEADER] = token;
    }
    let response: Response;
    try {
      response = await doFetch(buildUrl(path, options.query), {
        method,
        headers,
        credentials: 'same-origin',
        body: options.file ? options.file.data : options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw new ApiError({ status: 0, code: ClientErrorCode.NETWORK, message: String(cause) });
    }
    return response;
  }

  async function request(method: Method, path: string, options: RequestOptions = {}): Promise<unknown> {
    const response = await fetchRaw(method, path, options, 'application/json');
    const text = await response.text();
    const body = parseJson(text);
    if (!response.ok) throw toApiError(response.status, body, response.headers.get('retry-after'));
    return body;
  }

  function parse<T>(schema: z.ZodType<T>, body: unknown, path: string, status = 200): T {
    const result = schema.safeParse(body);
    if (!result.success) {
      throw new ApiError({
        status,
        code: ClientErrorCode.BAD_RESPONSE,
        message: `unexpected response from ${path}: ${result.error.message}`,
      });
    }
    return result.data;
  }

  return {
    async get(path, schema, options) {
      return parse(schema, await request('GET', path, options), path);
    },
    async post(path, schema, options) {
      return parse(schema, await request('POST', path, options), path);
    },
    async patch(path, schema, options) {
      return parse(schema, await request('PATCH', path, options), path);
    },
    async put(path, schema, options) {
      return parse(schema, await request('PUT', path, options), path);
    },
    async delete(path, options) {
      await request('DELETE', path, options);
    },
    async send(method, path, options) {
      await request(method, path, options);
    },
    async download(path, options = {}) {
      const response = await fetchRaw('GET', path, options, 'application/octet-stream');
      if (!response.ok)
        throw toApiError(response.status, parseJson(await response.text()), response.headers.get('retry-after'));
      return response.blob();
    },
  };
}
