import { z } from 'zod';
import {
  API_TOKEN_PREFIX,
  type ComplianceNotice,
  complianceNoticeSchema,
  type ExportConversationsResult,
  exportConversationsResultSchema,
  type ExportEscrowSession,
  type ExportMessagesPage,
  exportMessagesPageSchema,
  MAX_EXPORT_PAGE,
  exportSessionsResultSchema,
  type SignedAuditCheckpoint,
  signedAuditCheckpointSchema,
} from '@miyu/protocol';
import { cliError } from './errors.js';

/**
 * The export endpoints of the server (docs/compliance.md), called with an auditor's API token as
 * `Authorization: Bearer miyu_pat_…`. Every JSON answer is validated before use; 401/403 become TOKEN_REFUSED.
 */

export const API_TOKEN_PATTERN = new RegExp(`^${API_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

export interface ExportFilter {
  from?: string;
  to?: string;
  users?: string[];
  conversations?: string[];
}

type Fetch = typeof fetch;

export class ComplianceApi {
  constructor(
    private readonly server: URL,
    private readonly token: string,
    private readonly fetchImpl: Fetch = fetch,
    private readonly signal?: AbortSignal,
  ) {
    if (!API_TOKEN_PATTERN.test(token))
      throw cliError('TOKEN_MISSING', `The API token does not look like ${API_TOKEN_PREFIX}… (43 more characters).`);
  }

  private url(path: string, query: Record<string, string | number | undefined> = {}): URL {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** GET with the bearer token; never follows redirects (the token must not travel elsewhere). */
  async get(path: string, query: Record<string, string | number | undefined> = {}): Promise<Response> {
    const url = this.url(path, query);
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        headers: { authorization: `Bearer ${this.token}`, accept: 'application/json, application/octet-stream' },
        redirect: 'manual',
        ...(this.signal ? { signal: this.signal } : {}),
      });
    } catch (error) {
      if (this.signal?.aborted) throw cliError('CANCELLED', 'Export cancelled; the partial output was deleted.');
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw cliError(
        'SERVER_UNREACHABLE',
        `Cannot reach ${this.server.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}.`,
      );
    }
    if (res.ok) return res;
    const detail = await errorDetail(res);
    if (res.status === 401 || res.status === 403) {
      throw cliError(
        'TOKEN_REFUSED',
        `The server refused the API token (${res.status}${detail}) on ${url.pathname}: it needs an auditor's ` +
          `token with the compliance:export scope that is neither expired nor revoked.`,
      );
    }
    throw cliError('SERVER_ERROR', `GET ${url.pathname} failed: ${res.status}${detail}.`);
  }

  private async json<T>(path: string, schema: z.ZodType<T>, query: Record<string, string | number | undefined> = {}) {
    const res = await this.get(path, query);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw cliError('SERVER_ERROR', `GET ${path}: the answer is not JSON.`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw cliError('SERVER_ERROR', `GET ${path}: unexpected answer (${issue.path.join('.')}: ${issue.message}).`);
    }
    return parsed.data;
  }

  notice(): Promise<ComplianceNotice> {
    return this.json('/api/compliance/notice', complianceNoticeSchema);
  }

  checkpoint(): Promise<SignedAuditCheckpoint> {
    return this.json('/api/audit/checkpoint', signedAuditCheckpointSchema);
  }

  conversations(filter: ExportFilter): Promise<ExportConversationsResult> {
    return this.json('/api/compliance/export/conversations', exportConversationsResultSchema, {
      from: filter.from,
      to: filter.to,
      users: filter.users?.join(','),
      conversations: filter.conversations?.join(','),
    });
  }

  messages(q: {
    conversationId: string;
    afterSeq: number;
    limit?: number;
    from?: string;
    to?: string;
  }): Promise<ExportMessagesPage> {
    return this.json('/api/compliance/export/messages', exportMessagesPageSchema, {
      conversationId: q.conversationId,
      afterSeq: q.afterSeq,
      limit: q.limit ?? MAX_EXPORT_PAGE,
      from: q.from,
      to: q.to,
    });
  }

  async sessions(conversationId: string): Promise<ExportEscrowSession[]> {
    return (await this.json('/api/compliance/export/sessions', exportSessionsResultSchema, { conversationId }))
      .sessions;
  }

  /** The encrypted blob, as a stream. */
  async attachment(id: string): Promise<ReadableStream<Uint8Array>> {
    const res = await this.get(`/api/compliance/export/attachments/${encodeURIComponent(id)}`);
    if (!res.body) throw cliError('SERVER_ERROR', `attachment ${id}: empty answer`);
    return res.body;
  }
}

async function errorDetail(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : null;
    const message = typeof body.error?.message === 'string' ? body.error.message.slice(0, 300) : null;
    return code ? ` ${code}${message ? `: ${message}` : ''}` : '';
  } catch {
    return '';
  }
}
