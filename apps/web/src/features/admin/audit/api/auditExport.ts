import { ClientErrorCode, ApiError, toApiError } from '../../../../lib/apiClient';
import { auditExportUrl, type AuditExportFormat, type AuditFilter } from './audit.api';

/** The header the server sends before the body: how many entries the export holds. */
export const EXPORT_COUNT_HEADER = 'X-Audit-Export-Count';

export interface ExportProgress {
  format: AuditExportFormat;
  /** Entries in the export, from the header; null if the server did not say. */
  total: number | null;
  /** Entries received so far (JSONL: counted by line); null for the zip, which cannot be counted while it streams. */
  entries: number | null;
  bytes: number;
}

export interface ExportedFile {
  blob: Blob;
  fileName: string;
  total: number | null;
}

export interface ExportOptions {
  filter: AuditFilter;
  format: AuditExportFormat;
  signal: AbortSignal;
  onProgress: (progress: ExportProgress) => void;
  /** The page's `fetch` unless a test passes its own. */
  fetchImpl?: typeof fetch;
  /** Used for the file name when the server sends none. */
  now?: Date;
}

const NEWLINE = 0x0a;

function countNewlines(bytes: Uint8Array): number {
  let n = 0;
  for (const byte of bytes) if (byte === NEWLINE) n += 1;
  return n;
}

function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (encoded) {
    try {
      return decodeURIComponent(encoded.trim());
    } catch {
      // fall through to the plain name
    }
  }
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1]?.trim() ?? null;
}

function defaultFileName(format: AuditExportFormat, now: Date): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return format === 'jsonl' ? `miyu-audit-${stamp}.jsonl` : `miyu-audit-${stamp}.zip`;
}

/**
 * Downloads an export while reporting progress: the entry count arrives in a header before the body, then the body
 * is read chunk by chunk (JSONL: a header line, one line per entry, an end line; CSV: a zip, counted in bytes).
 * Cancelled through `signal` (the fetch rejects with an AbortError).
 */
export async function downloadAuditExport(options: ExportOptions): Promise<ExportedFile> {
  const { format, signal, onProgress } = options;
  const doFetch = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  let response: Response;
  try {
    response = await doFetch(auditExportUrl(options.filter, format), {
      credentials: 'same-origin',
      headers: { Accept: format === 'jsonl' ? 'application/x-ndjson' : 'application/zip' },
      signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({ status: 0, code: ClientErrorCode.NETWORK, message: String(cause) });
  }
  if (!response.ok) {
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    throw toApiError(response.status, body, response.headers.get('retry-after'));
  }

  const header = response.headers.get(EXPORT_COUNT_HEADER);
  const total = header !== null && /^\d+$/.test(header.trim()) ? Number(header) : null;
  const type =
    response.headers.get('content-type') ?? (format === 'jsonl' ? 'application/x-ndjson' : 'application/zip');
  const fileName =
    fileNameOf(response.headers.get('content-disposition')) ?? defaultFileName(format, options.now ?? new Date());
  const progress: ExportProgress = { format, total, entries: format === 'jsonl' ? 0 : null, bytes: 0 };
  onProgress({ ...progress });

  const reader = response.body?.getReader();
  if (!reader) {
    // No streaming body (old browsers): no progress, but the file still arrives.
    const blob = await response.blob();
    onProgress({ ...progress, bytes: blob.size, entries: progress.entries === null ? null : total });
    return { blob, fileName, total };
  }
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let lines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(new Uint8Array(value));
    progress.bytes += value.byteLength;
    if (progress.entries !== null) {
      lines += countNewlines(value);
      // The first line is the export's header; the end line must not count as an entry either.
      const entries = Math.max(0, lines - 1);
      progress.entries = total === null ? entries : Math.min(entries, total);
    }
    onProgress({ ...progress });
  }
  return { blob: new Blob(chunks, { type }), fileName, total };
}

/** Saves a downloaded file through an object URL and a temporary link. */
export function saveFile(file: ExportedFile): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers read the URL after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
