import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import archiver from 'archiver';
import type { Response } from 'express';
import type { AuditEntry, AuditExportQuery } from '@miyu/protocol';
import { merkleLeafHash } from '@miyu/crypto';
import { logger } from '../../common/logging/json-logger.js';
import type { Actor } from '../auth/auth.types.js';
import { AuditService, requireReader } from './audit.service.js';
import { AuditRepository, type StoredEntry } from './audit.repository.js';
import { AuditTree } from './audit-tree.js';
import {
  AUDIT_CSV_COLUMNS,
  AUDIT_EXPORT_COUNT_HEADER,
  AUDIT_EXPORT_README,
  AUDIT_EXPORT_SIZE_HEADER,
  AUDIT_EXPORT_TYPE,
  AUDIT_EXPORT_VERSION,
  type AuditExportEndLine,
  type AuditExportFilter,
  type AuditExportHeader,
  csvEntryLine,
  csvHeaderLine,
  exportFilter,
  jsonlEntryLine,
  readableCells,
} from './audit-export-format.js';
import { ExportProver } from './audit-export-proofs.js';

/** Entries read (and proven) per query. */
export const EXPORT_PAGE_SIZE = 1000;

export interface AuditExportFile {
  filename: string;
  contentType: string;
  /** Entries the body holds (sent as X-Audit-Export-Count before the body). */
  count: number;
  /** The checkpoint's tree size. */
  size: number;
  body: Readable;
}

interface ProvenEntry {
  stored: StoredEntry;
  leafHash: string;
  proof: string[];
}

/**
 * Exports of the audit log that anyone can verify offline (docs/audit-export.md): the latest signed checkpoint,
 * then every entry matching the filter up to it, each with its exact canonical text and its inclusion proof,
 * streamed a page at a time in constant memory, as JSONL or as a zip holding entries.csv + checkpoint.json.
 */
@Injectable()
export class AuditExportService {
  constructor(
    private readonly audit: AuditService,
    private readonly repo: AuditRepository,
    private readonly tree: AuditTree,
  ) {}

  /** Checks the role, takes the checkpoint, records the export and counts; the body streams when read. */
  /** `userId: null` is the server itself (the retention job's archive). */
  async open(
    actor: Pick<Actor, 'role'> & { userId: string | null },
    query: AuditExportQuery,
  ): Promise<AuditExportFile> {
    requireReader(actor);
    const signed = await this.tree.latest();
    const size = signed.checkpoint.size;
    this.audit.recordExport(actor, query, size);
    const filter = exportFilter(query);
    const count = size === 0 ? 0 : await this.repo.count(filter, size);
    const header: AuditExportHeader = {
      type: AUDIT_EXPORT_TYPE,
      v: AUDIT_EXPORT_VERSION,
      exportedAt: new Date().toISOString(),
      filter,
      checkpoint: signed.checkpoint,
      signature: signed.signature,
      publicKey: signed.publicKey,
      count,
    };
    const stamp = header.exportedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const name = `miyu-audit-${size}-${stamp}`;
    if (query.format === 'csv') {
      return {
        filename: `${name}.zip`,
        contentType: 'application/zip',
        count,
        size,
        body: zipBundle(header, this.csv(filter, size)),
      };
    }
    return {
      filename: `${name}.jsonl`,
      contentType: 'application/x-ndjson; charset=utf-8',
      count,
      size,
      body: Readable.from(this.jsonl(header, filter, size), { objectMode: false }),
    };
  }

  private async *jsonl(header: AuditExportHeader, filter: AuditExportFilter, size: number): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`;
    let count = 0;
    for await (const page of this.proven(filter, size)) {
      let chunk = '';
      for (const e of page) chunk += jsonlEntryLine(e.stored.seq, e.stored.canonical, e.leafHash, e.proof);
      count += page.length;
      yield chunk;
    }
    const end: AuditExportEndLine = { type: 'end', count };
    yield `${JSON.stringify(end)}\n`;
  }

  private async *csv(filter: AuditExportFilter, size: number): AsyncGenerator<string> {
    yield csvHeaderLine();
    for await (const page of this.proven(filter, size)) {
      let chunk = '';
      for (const e of page) chunk += csvEntryLine(readable(e.stored), e.stored.canonical, e.leafHash, e.proof);
      yield chunk;
    }
  }

  /**
   * Pages of entries with their leaf hashes and inclusion proofs against the tree of `size`, oldest first. The next
   * page is read and proven while the current one is being sent.
   */
  private async *proven(filter: AuditExportFilter, size: number): AsyncGenerator<ProvenEntry[]> {
    if (size === 0) return;
    const started = Date.now();
    const prover = new ExportProver(size, (wanted) => this.repo.nodes(wanted));
    const pages = this.repo.all(filter, size, EXPORT_PAGE_SIZE);
    const fetchNext = () => pages.next().then((r) => (r.done ? null : prove(r.value, prover)));
    let next = fetchNext();
    let entries = 0;
    try {
      for (;;) {
        const page = await next;
        if (!page) break;
        next = fetchNext();
        entries += page.length;
        yield page;
      }
      logger.event('info', 'audit', 'export streamed', {
        entries,
        treeSize: size,
        ms: Date.now() - started,
        ...prover.stats,
      });
    } finally {
      next.catch(() => undefined);
      await pages.return(undefined).catch(() => undefined);
    }
  }
}

async function prove(page: StoredEntry[], prover: ExportProver): Promise<ProvenEntry[]> {
  const proofs = await prover.prove(page.map((e) => e.seq - 1));
  return page.map((stored, i) => ({
    stored,
    leafHash: hex(merkleLeafHash(Buffer.from(stored.canonical, 'utf8'))),
    proof: proofs[i]!,
  }));
}

/**
 * The readable CSV cells of a stored entry. A stored text that is not an entry (altered in the database) still gets
 * its row — seq, action, entity type, result from the columns — and the verifier reports it.
 */
function readable(stored: StoredEntry): string[] {
  try {
    return readableCells(JSON.parse(stored.canonical) as AuditEntry);
  } catch {
    const cells = new Array<string>(AUDIT_CSV_COLUMNS.indexOf('canonical')).fill('');
    cells[AUDIT_CSV_COLUMNS.indexOf('seq')] = String(stored.seq);
    cells[AUDIT_CSV_COLUMNS.indexOf('action')] = stored.action;
    cells[AUDIT_CSV_COLUMNS.indexOf('entity_type')] = stored.entityType;
    cells[AUDIT_CSV_COLUMNS.indexOf('result')] = stored.resultOk ? 'success' : 'failure';
    return cells;
  }
}

/** The zip bundle: checkpoint.json and README.txt first (small), then entries.csv streamed through deflate. */
function zipBundle(header: AuditExportHeader, csv: AsyncGenerator<string>): Readable {
  const archive = archiver('zip', { zlib: { level: 6 } });
  const date = new Date(header.exportedAt);
  const entries = Readable.from(csv, { objectMode: false });
  entries.once('error', (error) => archive.destroy(error));
  archive.append(`${JSON.stringify(header, null, 2)}\n`, { name: 'checkpoint.json', date });
  archive.append(AUDIT_EXPORT_README, { name: 'README.txt', date });
  archive.append(entries, { name: 'entries.csv', date });
  archive.finalize().catch(() => undefined); // errors surface on the stream
  archive.once('close', () => entries.destroy());
  return archive;
}

/**
 * Sends an export: headers (with the entry count, for progress) then the body, honouring backpressure. A failure
 * after the headers can only cut the response short, which the verifier reports (no end line / broken zip).
 */
export async function sendAuditExport(res: Response, file: AuditExportFile): Promise<void> {
  res.setHeader('content-type', file.contentType);
  res.setHeader('content-disposition', `attachment; filename="${file.filename}"`);
  res.setHeader('cache-control', 'no-store');
  res.setHeader(AUDIT_EXPORT_COUNT_HEADER, String(file.count));
  res.setHeader(AUDIT_EXPORT_SIZE_HEADER, String(file.size));
  res.flushHeaders();
  try {
    await pipeline(file.body, res);
  } catch (error) {
    const aborted = (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
    logger.event(aborted ? 'info' : 'error', 'audit', aborted ? 'export aborted by the client' : 'export failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
