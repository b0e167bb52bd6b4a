import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { RetentionRunDto } from '@miyu/protocol';
import { DataSource } from 'typeorm';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/json-logger.js';
import { BLOB_STORE, type BlobStore } from '../attachments/blob-store.js';
import { AUDIT_EVENT } from '../audit/audit.events.js';
import type { Actor } from '../auth/auth.types.js';

/** How often a replica runs the deletion job (the advisory lock lets one replica at a time do the work). */
const RUN_EVERY_MS = 3_600_000;
const BATCH = 5_000;
/** pg_try_advisory_lock key: "miyu-retention". */
const LOCK_KEY = 0x6d697975_7274;
/** Conversations listed in the audit entry of a run (the totals are always complete). */
const AUDIT_LIST_LIMIT = 200;

/**
 * Each person's deletion period: the policy of the nearest department above (or at) their primary department, else
 * the org policy, else none (kept forever).
 */
const PERSON_DAYS_CTE = `
  person_days AS (
    SELECT u.id AS user_id, COALESCE(
      (SELECT p.days FROM retention_policies p JOIN departments d ON d.id = p.department_id
        WHERE p.scope = 'department'
          AND (dm.department_path = d.path OR dm.department_path LIKE d.path || '.%')
        ORDER BY d.depth DESC LIMIT 1),
      (SELECT p.days FROM retention_policies p WHERE p.scope = 'org')) AS days
    FROM users u LEFT JOIN department_members dm ON dm.user_id = u.id AND dm.is_primary
  ),
  held AS (SELECT target_id AS user_id FROM retention_scopes WHERE kind = 'user' AND ended_at IS NULL)`;

/** A conversation that anyone under legal hold is or was in is never purged. */
const NOT_HELD = (alias: string) => `NOT EXISTS (
    SELECT 1 FROM conversation_members cm JOIN held h ON h.user_id = cm.user_id
    WHERE cm.conversation_id = ${alias}.conversation_id)`;

/** Messages past their sender's period; $1 = now, $2 = now minus the shortest period (lets the BRIN index prune). */
const DUE_MESSAGES = `
  FROM messages m JOIN person_days pd ON pd.user_id = m.sender_user_id
  WHERE m.server_ts < $2::timestamptz AND pd.days IS NOT NULL AND m.server_ts < $1::timestamptz - make_interval(days => pd.days)
    AND m.envelope IS NOT NULL`;

const DUE_ATTACHMENTS = `
  FROM attachments a JOIN person_days pd ON pd.user_id = a.uploader_user_id
  WHERE a.created_at < $2::timestamptz AND pd.days IS NOT NULL AND a.created_at < $1::timestamptz - make_interval(days => pd.days)`;

/**
 * Compliance deletion (issue 10): ciphertext older than the org's or a department's period is deleted, hourly and on
 * demand — messages (their envelopes; system entries carry no content and stay) and attachments — except in
 * conversations with anyone under legal hold. Each run is recorded and audited with its counts.
 */
@Injectable()
export class RetentionJob implements OnModuleInit, OnModuleDestroy {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(
      () =>
        void this.run(null).catch((error: unknown) =>
          logger.event('error', 'compliance', 'retention run failed', {
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
      RUN_EVERY_MS,
    );
    this.timer.unref?.();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async runNow(actor: Actor): Promise<RetentionRunDto> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    return (await this.run(actor.userId)) ?? this.emptyRun();
  }

  /** Runs once unless another replica holds the lock (then null). */
  async run(actorUserId: string | null, now = new Date()): Promise<RetentionRunDto | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [LOCK_KEY])) as [
        { locked: boolean },
      ];
      if (!locked) return null;
      try {
        return await this.purge(actorUserId, now);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1)`, [LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  private async purge(actorUserId: string | null, now: Date): Promise<RetentionRunDto> {
    const [{ min_days }] = (await this.dataSource.query(`SELECT min(days) AS min_days FROM retention_policies`)) as [
      { min_days: number | null },
    ];
    const perConversation = new Map<string, number>();
    let deletedAttachments = 0;
    let keptForHold = 0;
    if (min_days !== null) {
      const horizon = new Date(now.getTime() - min_days * 86_400_000);
      for (;;) {
        const deleted = (await this.dataSource.query(
          `WITH ${PERSON_DAYS_CTE},
           due AS (SELECT m.conversation_id, m.seq ${DUE_MESSAGES} AND ${NOT_HELD('m')} LIMIT ${BATCH})
           DELETE FROM messages m USING due
           WHERE m.conversation_id = due.conversation_id AND m.seq = due.seq
           RETURNING m.conversation_id`,
          [now, horizon],
        )) as [Array<{ conversation_id: string }>, number];
        for (const r of deleted[0])
          perConversation.set(r.conversation_id, (perConversation.get(r.conversation_id) ?? 0) + 1);
        if (deleted[0].length < BATCH) break;
      }
      for (;;) {
        const deleted = (await this.dataSource.query(
          `WITH ${PERSON_DAYS_CTE},
           due AS (SELECT a.id ${DUE_ATTACHMENTS} AND ${NOT_HELD('a')} LIMIT ${BATCH})
           DELETE FROM attachments a USING due WHERE a.id = due.id RETURNING a.id`,
          [now, horizon],
        )) as [Array<{ id: string }>, number];
        // Rows first, then bytes: a crash in between leaves unreferenced bytes, never a row without them.
        for (const { id } of deleted[0]) await this.blobs.delete(id);
        deletedAttachments += deleted[0].length;
        if (deleted[0].length < BATCH) break;
      }
      const [{ held }] = (await this.dataSource.query(
        `WITH ${PERSON_DAYS_CTE} SELECT count(*)::int AS held ${DUE_MESSAGES} AND NOT ${NOT_HELD('m')}`,
        [now, horizon],
      )) as [{ held: number }];
      keptForHold = held;
    }
    const deletedMessages = [...perConversation.values()].reduce((a, b) => a + b, 0);
    const result: RetentionRunDto = {
      ranAt: now.toISOString(),
      deletedMessages,
      deletedAttachments,
      conversations: perConversation.size,
      keptForHold,
    };
    await this.dataSource.query(
      `INSERT INTO retention_runs (ran_at, deleted_messages, deleted_attachments, conversations, kept_for_hold)
       VALUES ($1, $2, $3, $4, $5)`,
      [now, deletedMessages, deletedAttachments, perConversation.size, keptForHold],
    );
    if (deletedMessages > 0 || deletedAttachments > 0 || actorUserId) {
      this.events.emit(AUDIT_EVENT, {
        action: 'compliance.retention_purged',
        actor: actorUserId ? { userId: actorUserId } : undefined,
        entity: { type: 'retention_policy', id: 'run', name: actorUserId ? 'manual' : 'scheduled' },
        context: {
          ...result,
          byConversation: [...perConversation.entries()]
            .sort((a, b) => b[1] - a[1])
            .slice(0, AUDIT_LIST_LIMIT)
            .map(([conversationId, messages]) => ({ conversationId, messages })),
        },
      });
    }
    return result;
  }

  private emptyRun(): RetentionRunDto {
    return {
      ranAt: new Date().toISOString(),
      deletedMessages: 0,
      deletedAttachments: 0,
      conversations: 0,
      keptForHold: 0,
    };
  }
}
