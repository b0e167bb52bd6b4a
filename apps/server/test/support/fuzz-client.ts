import { ERROR_CODES, ErrorCode } from '@miyu/protocol';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { ClientSocket } from './socket-client.js';

/** Helpers of the fuzz test (test/integration/fuzz.int-spec.ts): raw HTTP, raw socket.io frames, checks, figures. */

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One HTTP request with the path sent exactly as given (no URL normalisation of `..` or percent-encoding, unlike
 * fetch). Resolves with the response, or with `{ error }` when the connection failed before a response arrived.
 */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers: Record<string, string>; body?: Uint8Array; timeoutMs: number },
): Promise<RawResponse | { error: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (v: RawResponse | { error: string }) => {
      if (!settled) {
        settled = true;
        resolve(v);
      }
    };
    const headers = { ...options.headers };
    if (options.body) headers['content-length'] = String(options.body.byteLength);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers,
        agent,
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Downloads (exports, attachments) can be large: keep only the start, the checks need no more.
          if (size < 64 * 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (err) => done({ error: `response: ${err.message}` }));
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`no response within ${options.timeoutMs} ms`));
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ error: `${err.code ?? ''} ${err.message}`.trim() }));
    if (options.body) req.end(Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength));
    else req.end();
  });
}

export function closeRawAgent(): void {
  agent.destroy();
}

/** Error codes whose documented HTTP status is 5xx because an upstream system failed (not our bug). */
const UPSTREAM_CODES = new Set<string>([
  ErrorCode.OIDC_PROVIDER_UNAVAILABLE,
  ErrorCode.LDAP_CONNECT_FAILED,
  ErrorCode.LDAP_BIND_FAILED,
  ErrorCode.LDAP_SEARCH_FAILED,
]);

export interface HttpVerdict {
  /** Null when the response is acceptable; otherwise why it is not. */
  failure: string | null;
  /** The error code (or `2xx`/`3xx`), for the figures. */
  code: string;
  upstream: boolean;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The contract every response must keep: no 5xx (except a typed upstream failure), and every non-2xx answer
 * carries `{ error: { code, message } }` with a code from libs/protocol — or, under /scim/v2, the SCIM error schema.
 */
export function judgeHttpResponse(method: string, path: string, res: RawResponse): HttpVerdict {
  const status = res.status;
  if (status >= 200 && status < 300) return { failure: null, code: '2xx', upstream: false };
  if (status >= 300 && status < 400) {
    return res.headers.location
      ? { failure: null, code: `${status}`, upstream: false }
      : { failure: `${status} without Location`, code: `${status}`, upstream: false };
  }
  const body = parseJson(res.text) as
    | { error?: { code?: unknown; message?: unknown }; schemas?: unknown; status?: unknown; detail?: unknown }
    | undefined;
  const code = body?.error?.code;
  const typed =
    typeof code === 'string' && ERROR_CODES.includes(code as ErrorCode) && typeof body?.error?.message === 'string';
  const scim =
    path.startsWith('/scim/') &&
    Array.isArray(body?.schemas) &&
    (body.schemas as unknown[]).includes('urn:ietf:params:scim:api:messages:2.0:Error') &&
    body.status === String(status) &&
    typeof body.detail === 'string';
  const label = typed ? (code as string) : scim ? `SCIM ${status}` : `untyped ${status}`;
  if (status >= 500) {
    const upstream = typed && UPSTREAM_CODES.has(code as string) && status === 502;
    return { failure: upstream ? null : `${status} ${res.text.slice(0, 300)}`, code: label, upstream };
  }
  if (method === 'HEAD') return { failure: null, code: `HEAD ${status}`, upstream: false };
  if (!typed && !scim) return { failure: `untyped ${status}: ${res.text.slice(0, 300)}`, code: label, upstream: false };
  return { failure: null, code: label, upstream: false };
}

export type SocketAck = { ok: true; data?: unknown } | { ok: false; error: { code: string; message: string } };

/** Null when `ack` is a well-formed typed ack, otherwise why not. */
export function judgeSocketAck(ack: unknown): string | null {
  if (!ack || typeof ack !== 'object') return `ack is not an object: ${JSON.stringify(ack)?.slice(0, 200)}`;
  const a = ack as { ok?: unknown; error?: { code?: unknown; message?: unknown } };
  if (a.ok === true) return null;
  if (a.ok !== false) return `ack without ok: ${JSON.stringify(ack).slice(0, 200)}`;
  if (!ERROR_CODES.includes(a.error?.code as ErrorCode) || typeof a.error?.message !== 'string')
    return `untyped error ack: ${JSON.stringify(ack).slice(0, 300)}`;
  if (a.error?.code === ErrorCode.INTERNAL) return `INTERNAL ack: ${JSON.stringify(ack).slice(0, 300)}`;
  return null;
}

/**
 * Writes hand-made socket.io packets on a connected socket.io-client socket (below its encoder, so the payload can be
 * anything: raw JSON text, numbers as event names, bad binary placeholders) and collects the server's acks.
 */
export class RawSocketChannel {
  private nextId = 1_000_000;
  private readonly pending = new Map<number, (ack: unknown) => void>();

  constructor(readonly socket: ClientSocket) {
    socket.io.engine.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type !== 'message' || typeof packet.data !== 'string') return;
      const m = /^3(\d+)([\s\S]*)$/.exec(packet.data);
      if (!m) return;
      const resolve = this.pending.get(Number(m[1]));
      if (!resolve) return;
      this.pending.delete(Number(m[1]));
      const args = parseJson(m[2]!);
      resolve(Array.isArray(args) ? args[0] : { malformedAckFrame: m[2]!.slice(0, 200) });
    });
    socket.on('disconnect', () => {
      for (const resolve of this.pending.values()) resolve(DISCONNECTED);
      this.pending.clear();
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * Sends `["<event>", ...args]` (args as raw JSON texts) with an ack id unless `withAck` is false, followed by the
   * binary attachments when there are any. Resolves with the ack, DISCONNECTED, TIMED_OUT, or NO_ACK.
   */
  send(
    eventText: string,
    argTexts: readonly string[],
    options: { withAck: boolean; binaries?: readonly Uint8Array[]; attachmentsDeclared?: number; timeoutMs: number },
  ): Promise<unknown> {
    if (!this.socket.connected) return Promise.resolve(DISCONNECTED);
    const id = this.nextId++;
    const binaries = options.binaries ?? [];
    const declared = options.attachmentsDeclared ?? binaries.length;
    const head = declared > 0 || binaries.length > 0 ? `5${declared}-` : '2';
    const frame = `${head}${options.withAck ? id : ''}[${[eventText, ...argTexts].join(',')}]`;
    const result = options.withAck
      ? new Promise<unknown>((resolve) => {
          const timer = setTimeout(() => {
            this.pending.delete(id);
            resolve(TIMED_OUT);
          }, options.timeoutMs);
          this.pending.set(id, (ack) => {
            clearTimeout(timer);
            resolve(ack);
          });
        })
      : Promise.resolve(NO_ACK);
    const engine = this.socket.io.engine;
    engine.write(frame);
    for (const b of binaries) engine.write(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return result;
  }
}

export const DISCONNECTED = Symbol('disconnected');
export const TIMED_OUT = Symbol('timed out');
export const NO_ACK = Symbol('no ack requested');

/** Resident set size of a process in KiB (Linux /proc), or null where there is no /proc. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Counters for the printed figures. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  /** `a=3 b=1`, largest first. */
  toString(): string {
    return [...this.counts.entries()]
      .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
  }
}
