import { Injectable } from '@nestjs/common';
import type {
  FilterActionName,
  FilterHitDto,
  FilterHitQuery,
  FilterHitSource,
  FilterHitStats,
  FilterHitStatsQuery,
} from '@miyu/protocol';
import { DataSource } from 'typeorm';
import { inDepartmentSubtree } from '../../common/sql/department-subtree.js';

export interface NewHit {
  userId: string | null;
  deviceId: string | null;
  ruleId: string;
  rulePattern: string;
  category: string;
  action: FilterActionName;
  source: FilterHitSource;
  conversationId: string | null;
  clientMsgId: string | null;
  policyVersion: number;
}

/** A hit as filed: its id, and everything but the rule's pattern. */
export type FiledHit = Omit<NewHit, 'rulePattern'> & { id: string };

type Filter = Omit<FilterHitQuery, 'limit' | 'offset'>;

const BY_KEY = {
  rule: { key: `coalesce(h.rule_id::text, h.rule_pattern)`, label: `max(h.rule_pattern)` },
  category: { key: `h.category`, label: `h.category` },
  department: { key: `coalesce(h.department_id::text, '')`, label: `coalesce(max(d.name), '')` },
  day: {
    key: `to_char(h.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
    label: `min(to_char(h.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'))`,
  },
} as const;

/** The content-free hit log: who tripped which rule where and when, never what they wrote. */
@Injectable()
export class HitLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Files hits with each person's primary department at the time; a retried send's hit is kept once. */
  async insert(hits: NewHit[]): Promise<FiledHit[]> {
    if (hits.length === 0) return [];
    const rows = (await this.dataSource.query(
      `INSERT INTO filter_hits (user_id, device_id, department_id, rule_id, rule_pattern, category, action, source,
                                conversation_id, client_msg_id, policy_version)
       SELECT h.user_id, h.device_id,
              (SELECT dm.department_id FROM department_members dm WHERE dm.user_id = h.user_id
                ORDER BY dm.is_primary DESC, dm.created_at LIMIT 1),
              h.rule_id, h.rule_pattern, h.category, h.action, h.source, h.conversation_id, h.client_msg_id, h.policy_version
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[],
                     $9::uuid[], $10::int[])
           AS h(user_id, device_id, rule_id, rule_pattern, category, action, source, conversation_id, client_msg_id, policy_version)
       ON CONFLICT (user_id, client_msg_id, rule_id) WHERE client_msg_id IS NOT NULL DO NOTHING
       RETURNING id, user_id, device_id, rule_id, category, action, source, conversation_id, client_msg_id, policy_version`,
      [
        hits.map((h) => h.userId),
        hits.map((h) => h.deviceId),
        hits.map((h) => h.ruleId),
        hits.map((h) => h.rulePattern),
        hits.map((h) => h.category),
        hits.map((h) => h.action),
        hits.map((h) => h.source),
        hits.map((h) => h.conversationId),
        hits.map((h) => h.clientMsgId),
        hits.map((h) => h.policyVersion),
      ],
    )) as Array<{
      id: string;
      user_id: string | null;
      device_id: string | null;
      rule_id: string;
      category: string;
      action: NewHit['action'];
      source: NewHit['source'];
      conversation_id: string | null;
      client_msg_id: string | null;
      policy_version: number;
    }>;
    return rows.map((r) => ({
      id: String(r.id),
      userId: r.user_id,
      deviceId: r.device_id,
      ruleId: r.rule_id,
      category: r.category,
      action: r.action,
      source: r.source,
      conversationId: r.conversation_id,
      clientMsgId: r.client_msg_id,
      policyVersion: r.policy_version,
    }));
  }

  /** Rules by id, for hits a client reports (the server takes category and pattern from its own copy). */
  async rules(ids: string[]): Promise<Map<string, { pattern: string; category: string }>> {
    const rows = (await this.dataSource.query(
      `SELECT id, pattern, category FROM filter_rules WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as Array<{ id: string; pattern: string; category: string }>;
    return new Map(rows.map((r) => [r.id, r]));
  }

  async activeConversations(userId: string, conversationIds: string[]): Promise<Set<string>> {
    const rows = (await this.dataSource.query(
      `SELECT conversation_id FROM conversation_members
        WHERE user_id = $1 AND conversation_id = ANY($2::uuid[]) AND left_at IS NULL`,
      [userId, conversationIds],
    )) as Array<{ conversation_id: string }>;
    return new Set(rows.map((r) => r.conversation_id));
  }

  async list(query: FilterHitQuery): Promise<{ items: FilterHitDto[]; total: number }> {
    const { where, params } = conditions(query);
    const [rows, total] = await Promise.all([
      this.dataSource.query(
        `${SELECT_HITS} ${where} ORDER BY h.occurred_at DESC, h.id DESC
          LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, query.limit, query.offset],
      ) as Promise<HitRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS n FROM filter_hits h ${where}`, params) as Promise<
        Array<{ n: number }>
      >,
    ]);
    return { items: rows.map(toDto), total: total[0]!.n };
  }

  /** Newest first, a page at a time by keyset (for exports of any size in constant memory). */
  async *all(query: Filter, pageSize = 1000): AsyncGenerator<FilterHitDto[]> {
    let after: { at: Date; id: string } | null = null;
    for (;;) {
      const { where, params } = conditions(query);
      let clause = where;
      if (after) {
        params.push(after.at, after.id);
        clause += `${where ? ' AND' : 'WHERE'} (h.occurred_at, h.id) < ($${params.length - 1}, $${params.length})`;
      }
      const rows = (await this.dataSource.query(
        `${SELECT_HITS} ${clause} ORDER BY h.occurred_at DESC, h.id DESC LIMIT ${pageSize}`,
        params,
      )) as HitRow[];
      if (rows.length === 0) return;
      yield rows.map(toDto);
      const last = rows[rows.length - 1]!;
      after = { at: last.occurred_at, id: last.id };
      if (rows.length < pageSize) return;
    }
  }

  async stats(query: FilterHitStatsQuery): Promise<FilterHitStats> {
    const { where, params } = conditions(query);
    const by = BY_KEY[query.by];
    const rows = (await this.dataSource.query(
      `SELECT ${by.key} AS key, ${by.label} AS label,
              count(*) FILTER (WHERE h.action = 'block')::int AS block,
              count(*) FILTER (WHERE h.action = 'warn')::int AS warn,
              count(*) FILTER (WHERE h.action = 'mask')::int AS mask,
              count(*) FILTER (WHERE h.action = 'flag')::int AS flag,
              count(*)::int AS total
         FROM filter_hits h LEFT JOIN departments d ON d.id = h.department_id
         ${where} GROUP BY 1 ORDER BY ${query.by === 'day' ? '1' : 'total DESC, 1'} LIMIT 500`,
      params,
    )) as FilterHitStats['rows'];
    return { by: query.by, rows };
  }
}

const SELECT_HITS = `
  SELECT h.id::text AS id, h.occurred_at, h.user_id, u.display_name AS user_name, h.rule_id, h.rule_pattern, h.category,
         h.action, h.source, h.conversation_id, h.policy_version,
         coalesce(ARRAY(SELECT d2.name FROM department_members dm JOIN departments d2 ON d2.id = dm.department_id
                         WHERE dm.user_id = h.user_id ORDER BY dm.is_primary DESC, d2.name), '{}') AS departments
    FROM filter_hits h LEFT JOIN users u ON u.id = h.user_id`;

interface HitRow {
  id: string;
  occurred_at: Date;
  user_id: string | null;
  user_name: string | null;
  rule_id: string | null;
  rule_pattern: string;
  category: string;
  action: FilterActionName;
  source: FilterHitSource;
  conversation_id: string | null;
  policy_version: number;
  departments: string[];
}

function toDto(r: HitRow): FilterHitDto {
  return {
    id: r.id,
    occurredAt: r.occurred_at.toISOString(),
    userId: r.user_id,
    userName: r.user_name,
    departments: r.departments,
    ruleId: r.rule_id,
    rulePattern: r.rule_pattern,
    category: r.category,
    action: r.action,
    source: r.source,
    conversationId: r.conversation_id,
    policyVersion: r.policy_version,
  };
}

/** WHERE clause over `filter_hits h`; a department matches its whole subtree (by the hit's department then). */
function conditions(query: Filter): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (query.from) add((n) => `h.occurred_at >= $${n}`, query.from);
  if (query.to) add((n) => `h.occurred_at < $${n}`, query.to);
  if (query.ruleId) add((n) => `h.rule_id = $${n}`, query.ruleId);
  if (query.category) add((n) => `h.category = $${n}`, query.category);
  if (query.action) add((n) => `h.action = $${n}`, query.action);
  if (query.departmentId) add((n) => inDepartmentSubtree('h.department_id', n), query.departmentId);
  return { where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}
