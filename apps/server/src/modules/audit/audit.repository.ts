import { Injectable } from '@nestjs/common';
import type { AuditQuery } from '@miyu/protocol';
import { DataSource, type EntityManager } from 'typeorm';
import { inDepartmentSubtree } from '../../common/sql/department-subtree.js';

export interface StoredEntry {
  seq: number;
  occurredAt: Date;
  actorUserId: string | null;
  actorDeviceId: string | null;
  departmentId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  resultOk: boolean;
  canonical: string;
}

export interface CheckpointRow {
  size: number;
  root: Buffer;
  signedAt: Date;
  body: string;
  signature: Buffer;
}

type Filter = Omit<AuditQuery, 'limit' | 'offset' | 'sort'>;

/** SQL for the append-only audit tables. */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The head row, locked: one writer at a time across replicas. */
  async lockHead(db: EntityManager): Promise<{ size: number; lastLeaf: Buffer }> {
    const rows = (await db.query(`SELECT size, last_leaf FROM audit_head WHERE id = 1 FOR UPDATE`)) as Array<{
      size: string;
      last_leaf: Buffer;
    }>;
    return { size: Number(rows[0]!.size), lastLeaf: rows[0]!.last_leaf };
  }

  async head(): Promise<number> {
    const rows = (await this.dataSource.query(`SELECT size FROM audit_head WHERE id = 1`)) as Array<{ size: string }>;
    return Number(rows[0]!.size);
  }

  async setHead(db: EntityManager, size: number, lastLeaf: Buffer): Promise<void> {
    await db.query(`UPDATE audit_head SET size = $1, last_leaf = $2 WHERE id = 1`, [size, lastLeaf]);
  }

  /** Display names and primary departments of actors, as they are now (recorded with the entry). */
  async actors(
    db: EntityManager,
    userIds: string[],
  ): Promise<Map<string, { name: string; departmentId: string | null }>> {
    if (userIds.length === 0) return new Map();
    const rows = (await db.query(
      `SELECT u.id, u.display_name,
              (SELECT dm.department_id FROM department_members dm WHERE dm.user_id = u.id
                ORDER BY dm.is_primary DESC, dm.created_at LIMIT 1) AS department_id
         FROM users u WHERE u.id = ANY($1::uuid[])`,
      [userIds],
    )) as Array<{ id: string; display_name: string; department_id: string | null }>;
    return new Map(rows.map((r) => [r.id, { name: r.display_name, departmentId: r.department_id }]));
  }

  /** What was appended after `afterSeq` (at most `limit`): enough to recognise a batch that did commit. */
  async appendedAfter(
    db: EntityManager,
    afterSeq: number,
    limit: number,
  ): Promise<Array<{ seq: number; action: string; occurredAt: Date }>> {
    const rows = (await db.query(
      `SELECT seq, action, occurred_at FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    )) as Array<{ seq: string; action: string; occurred_at: Date }>;
    return rows.map((r) => ({ seq: Number(r.seq), action: r.action, occurredAt: r.occurred_at }));
  }

  async insertEntries(db: EntityManager, entries: StoredEntry[]): Promise<void> {
    await db.query(
      `INSERT INTO audit_log (seq, occurred_at, actor_user_id, actor_device_id, department_id, action, entity_type,
                              entity_id, result_ok, canonical)
       SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[],
                            $8::text[], $9::boolean[], $10::text[])`,
      [
        entries.map((e) => e.seq),
        entries.map((e) => e.occurredAt),
        entries.map((e) => e.actorUserId),
        entries.map((e) => e.actorDeviceId),
        entries.map((e) => e.departmentId),
        entries.map((e) => e.action),
        entries.map((e) => e.entityType),
        entries.map((e) => e.entityId),
        entries.map((e) => e.resultOk),
        entries.map((e) => e.canonical),
      ],
    );
  }

  async insertNodes(
    db: EntityManager,
    nodes: Array<{ level: number; index: number; hash: Uint8Array }>,
  ): Promise<void> {
    if (nodes.length === 0) return;
    await db.query(
      `INSERT INTO audit_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
      [nodes.map((n) => n.level), nodes.map((n) => n.index), nodes.map((n) => Buffer.from(n.hash))],
    );
  }

  /** Perfect-subtree hashes by (level, index). */
  async nodes(
    wanted: Array<{ level: number; index: number }>,
    db: DataSource | EntityManager = this.dataSource,
  ): Promise<Map<string, Buffer>> {
    if (wanted.length === 0) return new Map();
    const rows = (await db.query(
      `SELECT n.level, n.idx, n.hash FROM audit_nodes n
         JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON w.level = n.level AND w.idx = n.idx`,
      [wanted.map((w) => w.level), wanted.map((w) => w.index)],
    )) as Array<{ level: number; idx: string; hash: Buffer }>;
    return new Map(rows.map((r) => [`${r.level}/${r.idx}`, r.hash]));
  }

  async node(level: number, index: number): Promise<Buffer | undefined> {
    return (await this.nodes([{ level, index }])).get(`${level}/${index}`);
  }

  async insertCheckpoint(c: CheckpointRow): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO audit_checkpoints (size, root, signed_at, body, signature) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (size) DO NOTHING`,
      [c.size, c.root, c.signedAt, c.body, c.signature],
    );
  }

  async latestCheckpoint(): Promise<CheckpointRow | null> {
    const rows = (await this.dataSource.query(
      `SELECT size, root, signed_at, body, signature FROM audit_checkpoints ORDER BY size DESC LIMIT 1`,
    )) as Array<{ size: string; root: Buffer; signed_at: Date; body: string; signature: Buffer }>;
    const r = rows[0];
    return r
      ? { size: Number(r.size), root: r.root, signedAt: r.signed_at, body: r.body, signature: r.signature }
      : null;
  }

  async entry(seq: number): Promise<StoredEntry | null> {
    const rows = (await this.dataSource.query(`${SELECT} WHERE seq = $1`, [seq])) as EntryRow[];
    return rows[0] ? toStored(rows[0]) : null;
  }

  async list(query: AuditQuery): Promise<{ items: StoredEntry[]; total: number }> {
    const { where, params } = conditions(query);
    const order = query.sort === 'oldest' ? 'ASC' : 'DESC';
    const [rows, total] = await Promise.all([
      this.dataSource.query(
        `${SELECT} ${where} ORDER BY seq ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, query.limit, query.offset],
      ) as Promise<EntryRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS n FROM audit_log ${where}`, params) as Promise<
        Array<{ n: number }>
      >,
    ]);
    return { items: rows.map(toStored), total: total[0]!.n };
  }

  /** Oldest first up to `maxSeq`, a page at a time by keyset (exports of any size in constant memory). */
  async *all(filter: Filter, maxSeq: number, pageSize = 1000): AsyncGenerator<StoredEntry[]> {
    let after = 0;
    for (;;) {
      const { where, params } = conditions(filter);
      params.push(after, maxSeq);
      const clause = `${where ? `${where} AND` : 'WHERE'} seq > $${params.length - 1} AND seq <= $${params.length}`;
      const rows = (await this.dataSource.query(
        `${SELECT} ${clause} ORDER BY seq LIMIT ${pageSize}`,
        params,
      )) as EntryRow[];
      if (rows.length === 0) return;
      yield rows.map(toStored);
      after = Number(rows[rows.length - 1]!.seq);
      if (rows.length < pageSize) return;
    }
  }

  async count(filter: Filter, maxSeq: number): Promise<number> {
    const { where, params } = conditions(filter);
    params.push(maxSeq);
    const rows = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_log ${where ? `${where} AND` : 'WHERE'} seq <= $${params.length}`,
      params,
    )) as Array<{ n: number }>;
    return rows[0]!.n;
  }
}

const SELECT = `SELECT seq, occurred_at, actor_user_id, actor_device_id, department_id, action, entity_type, entity_id,
                       result_ok, canonical FROM audit_log`;

interface EntryRow {
  seq: string;
  occurred_at: Date;
  actor_user_id: string | null;
  actor_device_id: string | null;
  department_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  result_ok: boolean;
  canonical: string;
}

function toStored(r: EntryRow): StoredEntry {
  return {
    seq: Number(r.seq),
    occurredAt: r.occurred_at,
    actorUserId: r.actor_user_id,
    actorDeviceId: r.actor_device_id,
    departmentId: r.department_id,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    resultOk: r.result_ok,
    canonical: r.canonical,
  };
}

/** WHERE over audit_log; a department matches its whole subtree (the actor's department at the time). */
function conditions(query: Filter): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (query.from) add((n) => `occurred_at >= $${n}`, query.from);
  if (query.to) add((n) => `occurred_at < $${n}`, query.to);
  if (query.actorId) add((n) => `actor_user_id = $${n}`, query.actorId);
  if (query.action) add((n) => `action = $${n}`, query.action);
  if (query.entityType) add((n) => `entity_type = $${n}`, query.entityType);
  if (query.entityId) add((n) => `entity_id = $${n}`, query.entityId);
  if (query.result) add((n) => `result_ok = $${n}`, query.result === 'success');
  if (query.departmentId) add((n) => inDepartmentSubtree('department_id', n), query.departmentId);
  return { where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}
