import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AuditPurgeResult, AuditSettings } from '@miyu/protocol';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/json-logger.js';
import type { Actor } from '../auth/auth.types.js';
import { AUDIT_EVENT, type AuditRecord } from './audit.events.js';
import { AuditExportService } from './audit-export.service.js';

const DAY_MS = 86_400_000;
/** How often a replica checks whether entries have passed their retention. */
const PURGE_CHECK_MS = 3_600_000;

/**
 * Retention of audit entries (default: keep forever). Entries older than the admin-set period are first written to an
 * archive — the same verifiable bundle as an export, under <data dir>/audit-archive — and only then deleted. The
 * Merkle tree's nodes and the signed checkpoints are never deleted, so the rest of the log, and the archive, stay
 * verifiable. Purges are audited.
 */
@Injectable()
export class AuditRetention implements OnModuleInit, OnModuleDestroy {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly exports: AuditExportService,
    private readonly events: EventEmitter2,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(
      () =>
        void this.purgeDue().catch((error: unknown) =>
          logger.event('error', 'audit', 'purge failed', {
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      PURGE_CHECK_MS,
    );
    this.timer.unref?.();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async settings(actor: Pick<Actor, 'role'>): Promise<AuditSettings> {
    if (actor.role !== 'admin' && actor.role !== 'auditor') throw new ForbiddenError();
    return this.read();
  }

  async update(actor: Pick<Actor, 'role' | 'userId'>, next: AuditSettings): Promise<AuditSettings> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    const before = await this.read();
    await this.dataSource.query(`UPDATE audit_settings SET retention_days = $1, updated_at = now() WHERE id = 1`, [
      next.retentionDays,
    ]);
    this.record({
      action: 'audit.settings_updated',
      actor: { userId: actor.userId },
      entity: { type: 'audit_log', id: 'settings', name: null },
      context: { changes: { retentionDays: { before: before.retentionDays, after: next.retentionDays } } },
    });
    return this.read();
  }

  /** Admins may run the purge now instead of waiting for the hourly check. */
  async purgeNow(actor: Pick<Actor, 'role'>): Promise<AuditPurgeResult> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    return this.purgeDue();
  }

  /** Archives, then deletes, the entries older than the retention period (one replica at a time). */
  async purgeDue(now = new Date()): Promise<AuditPurgeResult> {
    const { retentionDays } = await this.read();
    const none: AuditPurgeResult = { purged: 0, throughSeq: null, archive: null };
    if (retentionDays === null) return none;
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
    const lock = await this.dataSource.query(`SELECT pg_try_advisory_lock(hashtext('miyu:audit-purge')) AS ok`);
    if (!(lock as Array<{ ok: boolean }>)[0]!.ok) return none;
    try {
      const file = await this.exports.open({ role: 'admin', userId: null }, { format: 'jsonl', to: cutoff });
      if (file.count === 0) {
        file.body.destroy();
        return none;
      }
      const dir = join(this.config.database.dataDir, 'audit-archive');
      await mkdir(dir, { recursive: true });
      const path = join(dir, file.filename);
      const hash = createHash('sha256');
      await pipeline(
        file.body,
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            done(null, chunk);
          },
        }),
        createWriteStream(path, { flags: 'wx' }),
      );
      const sha256 = hash.digest('hex');
      // Only what the archive holds: entries before the cutoff and covered by its checkpoint.
      const purged = await this.dataSource.transaction(async (db) => {
        await db.query(`SET LOCAL miyu.audit_purge = 'on'`);
        const [rows] = (await db.query(`DELETE FROM audit_log WHERE occurred_at < $1 AND seq <= $2 RETURNING seq`, [
          cutoff,
          file.size,
        ])) as [Array<{ seq: string }>, number];
        return rows.map((r) => Number(r.seq));
      });
      const result: AuditPurgeResult = {
        purged: purged.length,
        throughSeq: purged.length > 0 ? Math.max(...purged) : null,
        archive: { file: file.filename, sha256, entries: file.count },
      };
      this.record({
        action: 'audit.purged',
        entity: { type: 'audit_log', id: null, name: null },
        context: { cutoff, retentionDays, ...result },
      });
      return result;
    } finally {
      await this.dataSource.query(`SELECT pg_advisory_unlock(hashtext('miyu:audit-purge'))`);
    }
  }

  private async read(): Promise<AuditSettings> {
    const rows = (await this.dataSource.query(`SELECT retention_days FROM audit_settings WHERE id = 1`)) as Array<{
      retention_days: number | null;
    }>;
    return { retentionDays: rows[0]?.retention_days ?? null };
  }

  private record(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}
