import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type {
  FilterHitDto,
  FilterHitQuery,
  FilterHitReport,
  FilterHitStats,
  FilterHitStatsQuery,
} from '@miyu/protocol';
import { csvCell } from '../../common/csv/csv-cells.js';
import type { Actor } from '../auth/auth.types.js';
import { requireAdmin } from '../auth/require-admin.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { CurrentWordPolicy } from './current-policy.js';
import { HitLogRepository, type NewHit } from './hit-log.repository.js';
import { WordPolicyError } from './word-policy.errors.js';

const CSV_COLUMNS = [
  'time',
  'user',
  'departments',
  'rule',
  'category',
  'action',
  'source',
  'conversation',
  'policy_version',
] as const;

/**
 * Sensitive-word hits: filed by clients (flag and block, content-free) and by the server's own checks; read by
 * admins as a log, as statistics by rule / category / department / day, and as a CSV export.
 */
@Injectable()
export class HitLogService {
  constructor(
    private readonly repo: HitLogRepository,
    private readonly current: CurrentWordPolicy,
    private readonly events: EventEmitter2,
  ) {}

  /** Files hits (from clients and the server's own checks) and audits each one filed: who, which rule, where. */
  async file(hits: NewHit[]): Promise<number> {
    const filed = await this.repo.insert(hits);
    for (const hit of filed)
      this.events.emit(AUDIT_EVENT, {
        action: 'word_filter.hit',
        actor: { userId: hit.userId, deviceId: hit.deviceId },
        entity: { type: 'word_policy', id: hit.ruleId },
        context: {
          hitId: hit.id,
          ruleId: hit.ruleId,
          category: hit.category,
          action: hit.action,
          source: hit.source,
          conversationId: hit.conversationId,
          clientMsgId: hit.clientMsgId,
          policyVersion: hit.policyVersion,
        },
      } satisfies AuditRecord);
    return filed.length;
  }

  /** A client reports what its user tripped; rules and conversations must be real and the user a member. */
  async report(
    actor: Pick<Actor, 'userId'>,
    deviceId: string | null,
    report: FilterHitReport,
  ): Promise<{ filed: number }> {
    const version = await this.current.version();
    if (report.policyVersion > version) throw WordPolicyError.hitUnknown('policyVersion is not published');
    const rules = await this.repo.rules([...new Set(report.hits.map((h) => h.ruleId))]);
    const member = await this.repo.activeConversations(actor.userId, [
      ...new Set(report.hits.map((h) => h.conversationId)),
    ]);
    const hits = report.hits.map((hit) => {
      const rule = rules.get(hit.ruleId);
      if (!rule) throw WordPolicyError.hitUnknown(`no rule ${hit.ruleId}`);
      if (!member.has(hit.conversationId))
        throw WordPolicyError.hitUnknown(`not in conversation ${hit.conversationId}`);
      return {
        userId: actor.userId,
        deviceId,
        ruleId: hit.ruleId,
        rulePattern: rule.pattern,
        category: rule.category,
        action: hit.action,
        source: 'message' as const,
        conversationId: hit.conversationId,
        clientMsgId: hit.clientMsgId,
        policyVersion: report.policyVersion,
      };
    });
    return { filed: await this.file(hits) };
  }

  list(actor: Pick<Actor, 'role'>, query: FilterHitQuery): Promise<{ items: FilterHitDto[]; total: number }> {
    requireAdmin(actor);
    return this.repo.list(query);
  }

  stats(actor: Pick<Actor, 'role'>, query: FilterHitStatsQuery): Promise<FilterHitStats> {
    requireAdmin(actor);
    return this.repo.stats(query);
  }

  /** CSV lines (header first), produced a page at a time. */
  async *exportCsv(
    actor: Pick<Actor, 'role'>,
    query: Omit<FilterHitQuery, 'limit' | 'offset'>,
  ): AsyncGenerator<string> {
    requireAdmin(actor);
    yield `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;
    for await (const page of this.repo.all(query)) {
      yield page
        .map((h) =>
          [
            h.occurredAt,
            h.userName ?? '',
            h.departments.join(' / '),
            h.rulePattern,
            h.category,
            h.action,
            h.source,
            h.conversationId ?? '',
            String(h.policyVersion),
          ]
            .map(csvCell)
            .join(','),
        )
        .map((line) => `${line}\r\n`)
        .join('');
    }
  }
}
