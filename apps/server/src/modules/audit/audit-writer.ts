import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type AuditEntry } from '@miyu/protocol';
import { canonicalJson, merkleAppendNodes, merkleLeafHash, utf8Encode } from '@miyu/crypto';
import type { EntityManager } from 'typeorm';
import { isDatabaseUnavailable } from '../../common/errors/database-unavailable.js';
import { logger } from '../../common/logging/json-logger.js';
import { GroupCommit } from '../../common/timing/group-commit.js';
import type { AuditRecord } from './audit.events.js';
import { AuditRepository, type StoredEntry } from './audit.repository.js';

/** A checkpoint is signed each time the log passes a multiple of this many entries (and every minute otherwise). */
export const CHECKPOINT_EVERY_ENTRIES = 1000;

export interface AppendResult {
  seq: number;
  /** The log's size after the batch that held this record. */
  size: number;
  /** The batch passed a multiple of CHECKPOINT_EVERY_ENTRIES: time to sign a checkpoint. */
  checkpointDue: boolean;
}

/** A record with the request details it was made in, and its time. */
export interface PendingRecord extends AuditRecord {
  at: Date;
}

/**
 * The single writer of the audit log. Records arriving together are appended in one transaction that holds the head
 * row's lock (so replicas take turns): each gets the next seq, its canonical text names the previous entry's leaf
 * hash (`prev`), and its leaf and every Merkle node it completes are stored. A caller may await the commit.
 */
/** How long a record may wait to be appended with others. */
export const AUDIT_LINGER_MS = 25;
/** How long a batch is retried while the database is unreachable (a restart, a failover) before it is given up. */
export const AUDIT_RETRY_MS = 10 * 60_000;
/** At shutdown, how long more an unreachable database is waited for. */
export const AUDIT_SHUTDOWN_RETRY_MS = 5_000;
const RETRY_PAUSE_MAX_MS = 5_000;

@Injectable()
export class AuditWriter implements OnApplicationShutdown {
  /**
   * Records wait up to 25 ms for company: nothing awaits an append on a request's path, and at a steady message
   * rate one transaction per 25 ms costs far less than one per record (bench/scale.ts, 1:1 at 1,000 msg/s).
   */
  private readonly batch = new GroupCommit<PendingRecord, AppendResult>(
    (records) => this.appendRetrying(records),
    1000,
    1,
    AUDIT_LINGER_MS,
  );

  /** Set at shutdown: no retry after this time. */
  private retryUntil: number | null = null;

  constructor(private readonly repo: AuditRepository) {}

  record(record: PendingRecord): Promise<AppendResult> {
    return this.batch.submit(record);
  }

  /** Resolves once every record made so far is in the log, so a reader sees what happened before it asked. */
  settled(): Promise<void> {
    return this.batch.settled();
  }

  /**
   * Records made before shutdown are written before the database goes away; if it is unreachable by then, retries
   * stop after AUDIT_SHUTDOWN_RETRY_MS rather than holding the shutdown.
   */
  onApplicationShutdown(): Promise<void> {
    this.retryUntil = Math.min(this.retryUntil ?? Infinity, Date.now() + AUDIT_SHUTDOWN_RETRY_MS);
    return this.batch.drain();
  }

  /**
   * Appends a batch, and while the database is unreachable keeps the batch (later records queue behind it) and tries
   * again with a growing pause: an audited action is not forgotten because PostgreSQL restarted. A connection lost
   * during COMMIT leaves it unknown whether the batch was written; the next attempt looks first, so nothing is
   * appended twice.
   */
  private async appendRetrying(records: readonly PendingRecord[]): Promise<AppendResult[]> {
    const deadline = Date.now() + AUDIT_RETRY_MS;
    const attempt: { headSize: number | null } = { headSize: null };
    for (let pause = 250, failures = 0; ; pause = Math.min(pause * 2, RETRY_PAUSE_MAX_MS)) {
      try {
        const results = await this.append(records, attempt);
        if (failures > 0) logger.event('info', 'audit', 'append succeeded after retries', { failures });
        return results;
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() > Math.min(deadline, this.retryUntil ?? Infinity)) throw error;
        if (failures === 0)
          logger.event('warn', 'audit', 'database unavailable; the batch is kept and retried', {
            records: records.length,
            error: error instanceof Error ? error.message : String(error),
          });
        failures += 1;
        await new Promise((r) => setTimeout(r, pause).unref());
      }
    }
  }

  private append(records: readonly PendingRecord[], attempt: { headSize: number | null }): Promise<AppendResult[]> {
    return this.repo.transaction(async (db) => {
      const head = await this.repo.lockHead(db);
      const committed = attempt.headSize === null ? null : await this.committedBefore(db, records, attempt.headSize);
      if (committed) return committed;
      attempt.headSize = head.size;
      const actors = await this.repo.actors(db, [
        ...new Set(records.flatMap((r) => (r.actor?.userId ? [r.actor.userId] : []))),
      ]);
      const known = await this.frontier(db, head.size);
      const entries: StoredEntry[] = [];
      const nodes: Array<{ level: number; index: number; hash: Uint8Array }> = [];
      let size = head.size;
      let prev: Uint8Array = head.lastLeaf;
      const results: AppendResult[] = [];
      for (const r of records) {
        const seq = size + 1;
        const userId = r.actor?.userId ?? null;
        const actor = userId ? actors.get(userId) : undefined;
        const entry: AuditEntry = {
          v: 1,
          seq,
          time: r.at.toISOString(),
          actor: {
            userId,
            name: actor?.name ?? null,
            deviceId: r.actor?.deviceId ?? null,
            ip: r.actor?.ip ?? null,
            userAgent: r.actor?.userAgent ?? null,
          },
          action: r.action,
          entity: { type: r.entity.type, id: r.entity.id ?? null, name: r.entity.name ?? null },
          context: r.context ? jsonSafe(r.context) : null,
          result: { ok: r.result?.ok ?? true, reason: r.result?.reason ?? null },
          prev: Buffer.from(prev).toString('hex'),
        };
        const canonical = canonicalJson(entry);
        const leaf = merkleLeafHash(utf8Encode(canonical));
        const completed = await merkleAppendNodes(size, leaf, (level, index) => {
          const hash = known.get(`${level}/${index}`);
          if (!hash) throw new Error(`audit tree node ${level}/${index} is missing`);
          return hash;
        });
        for (const n of completed) known.set(`${n.level}/${n.index}`, n.hash);
        nodes.push(...completed);
        entries.push({
          seq,
          occurredAt: r.at,
          actorUserId: userId,
          actorDeviceId: r.actor?.deviceId ?? null,
          departmentId: actor?.departmentId ?? null,
          action: r.action,
          entityType: r.entity.type,
          entityId: r.entity.id ?? null,
          resultOk: entry.result.ok,
          canonical,
        });
        size = seq;
        prev = leaf;
        results.push({ seq, size, checkpointDue: false });
      }
      await this.repo.insertEntries(db, entries);
      await this.repo.insertNodes(db, nodes);
      await this.repo.setHead(db, size, Buffer.from(prev));
      const checkpointDue =
        Math.floor(size / CHECKPOINT_EVERY_ENTRIES) > Math.floor(head.size / CHECKPOINT_EVERY_ENTRIES);
      return results.map((r) => ({ ...r, size, checkpointDue }));
    });
  }

  /**
   * The results of an earlier attempt of this batch if it did commit (the entries after the head it saw are these
   * records, by action and time), else null.
   */
  private async committedBefore(
    db: EntityManager,
    records: readonly PendingRecord[],
    headSize: number,
  ): Promise<AppendResult[] | null> {
    const after = await this.repo.appendedAfter(db, headSize, records.length);
    const same =
      after.length === records.length &&
      after.every((e, i) => e.action === records[i]!.action && e.occurredAt.getTime() === records[i]!.at.getTime());
    if (!same) return null;
    const size = headSize + records.length;
    const checkpointDue = Math.floor(size / CHECKPOINT_EVERY_ENTRIES) > Math.floor(headSize / CHECKPOINT_EVERY_ENTRIES);
    return after.map((e) => ({ seq: e.seq, size, checkpointDue }));
  }

  /** The roots of the perfect subtrees left of position `size`: all appending needs from earlier batches. */
  private async frontier(db: EntityManager, size: number): Promise<Map<string, Uint8Array>> {
    const wanted: Array<{ level: number; index: number }> = [];
    for (let level = 0; 2 ** level <= size; level++)
      if (Math.floor(size / 2 ** level) % 2 === 1) wanted.push({ level, index: Math.floor(size / 2 ** level) - 1 });
    const rows = await this.repo.nodes(wanted, db);
    return new Map([...rows].map(([key, hash]) => [key, new Uint8Array(hash)]));
  }
}

/** Context as canonical JSON accepts it: integers stay numbers, other numbers become strings, undefined is dropped. */
export function jsonSafe(value: unknown): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isSafeInteger(v) ? v : String(v);
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = walk(x);
      return out;
    }
    return null;
  };
  return walk(value) as Record<string, unknown>;
}
