import { Injectable } from '@nestjs/common';
import type { RetentionScopeKind } from '@miyu/protocol';
import { DataSource, type EntityManager } from 'typeorm';

export interface KeyRow {
  id: string;
  encryption_key: Buffer;
  signing_key: Buffer;
  fingerprint: string;
  label: string | null;
  created_at: Date;
  created_by: string | null;
  retired_at: Date | null;
  escrowed_sessions: string;
}

export interface ScopeRow {
  id: string;
  kind: RetentionScopeKind;
  target_id: string | null;
  target_name: string | null;
  starts_at: Date;
  note: string | null;
  created_at: Date;
  created_by: string | null;
  ended_at: Date | null;
}

export interface PolicyRow {
  id: string;
  scope: 'org' | 'department';
  department_id: string | null;
  department_name: string | null;
  days: number;
  updated_at: Date;
}

export interface RunRow {
  ran_at: Date;
  deleted_messages: number;
  deleted_attachments: number;
  conversations: number;
  kept_for_hold: number;
}

const MAX_LISTED_SCOPES = 1000;

const KEY_SELECT = `
  SELECT k.*, (SELECT count(*) FROM escrow_sessions e WHERE e.key_id = k.id) AS escrowed_sessions
  FROM compliance_keys k`;

const SCOPE_SELECT = `
  SELECT s.id, s.kind, s.target_id, s.starts_at, s.note, s.created_at, s.created_by, s.ended_at,
         COALESCE(d.name, u.display_name) AS target_name
  FROM retention_scopes s
  LEFT JOIN departments d ON s.kind = 'department' AND d.id = s.target_id
  LEFT JOIN users u ON s.kind = 'user' AND u.id = s.target_id`;

const POLICY_SELECT = `
  SELECT p.id, p.scope, p.department_id, d.name AS department_name, p.days, p.updated_at
  FROM retention_policies p LEFT JOIN departments d ON d.id = p.department_id`;

/** Unset: clients show their own localised "your organisation". */
export const DEFAULT_ORGANISATION_NAME = '';

/** Compliance keys, retention scopes, deletion policies and settings (migration 1765300000000). */
@Injectable()
export class ComplianceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async organisationName(): Promise<string> {
    const rows = (await this.dataSource.query(
      `SELECT organisation_name FROM compliance_settings WHERE id = 1`,
    )) as Array<{
      organisation_name: string;
    }>;
    return rows[0]?.organisation_name ?? DEFAULT_ORGANISATION_NAME;
  }

  async setOrganisationName(name: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO compliance_settings (id, organisation_name) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET organisation_name = EXCLUDED.organisation_name, updated_at = now()`,
      [name],
    );
  }

  listKeys(): Promise<KeyRow[]> {
    return this.dataSource.query(`${KEY_SELECT} ORDER BY k.created_at DESC`);
  }

  /** The listed keys without their session counts: what every client reads (GET /api/compliance/notice). */
  publicKeys(): Promise<Array<Pick<KeyRow, 'id' | 'encryption_key' | 'fingerprint' | 'retired_at'>>> {
    return this.dataSource.query(
      `SELECT id, encryption_key, fingerprint, retired_at FROM compliance_keys ORDER BY created_at DESC`,
    );
  }

  async findKey(id: string): Promise<KeyRow | null> {
    const rows = (await this.dataSource.query(`${KEY_SELECT} WHERE k.id = $1`, [id])) as KeyRow[];
    return rows[0] ?? null;
  }

  async keyExists(encryptionKey: Buffer): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM compliance_keys WHERE encryption_key = $1`, [
      encryptionKey,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** Retires the active key (if any) and makes this one active, in one transaction; returns the retired key's id. */
  rotateKey(row: Omit<KeyRow, 'retired_at' | 'escrowed_sessions' | 'created_at'>): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`LOCK TABLE compliance_keys IN SHARE ROW EXCLUSIVE MODE`);
      const retired = (await manager.query(
        `UPDATE compliance_keys SET retired_at = now() WHERE retired_at IS NULL RETURNING id`,
      )) as [Array<{ id: string }>, number];
      await manager.query(
        `INSERT INTO compliance_keys (id, encryption_key, signing_key, fingerprint, label, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [row.id, row.encryption_key, row.signing_key, row.fingerprint, row.label, row.created_by],
      );
      return retired[0][0]?.id ?? null;
    });
  }

  listScopes(): Promise<ScopeRow[]> {
    return this.dataSource.query(
      `${SCOPE_SELECT} ORDER BY s.ended_at IS NOT NULL, s.created_at DESC LIMIT ${MAX_LISTED_SCOPES}`,
    );
  }

  async findScope(id: string): Promise<ScopeRow | null> {
    const rows = (await this.dataSource.query(`${SCOPE_SELECT} WHERE s.id = $1`, [id])) as ScopeRow[];
    return rows[0] ?? null;
  }

  async insertScope(row: {
    id: string;
    kind: RetentionScopeKind;
    targetId: string | null;
    startsAt: Date;
    note: string | null;
    createdBy: string;
  }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO retention_scopes (id, kind, target_id, starts_at, note, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [row.id, row.kind, row.targetId, row.startsAt, row.note, row.createdBy],
    );
  }

  /** An active scope with the same kind and target, if any. */
  async activeScopeFor(kind: RetentionScopeKind, targetId: string | null): Promise<string | null> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM retention_scopes WHERE ended_at IS NULL AND kind = $1 AND target_id IS NOT DISTINCT FROM $2`,
      [kind, targetId],
    )) as Array<{ id: string }>;
    return rows[0]?.id ?? null;
  }

  async endScope(id: string, by: string): Promise<boolean> {
    const [, affected] = (await this.dataSource.query(
      `UPDATE retention_scopes SET ended_at = now(), ended_by = $2 WHERE id = $1 AND ended_at IS NULL`,
      [id, by],
    )) as [unknown, number];
    return affected > 0;
  }

  async departmentName(id: string): Promise<string | null> {
    const rows = (await this.dataSource.query(`SELECT name FROM departments WHERE id = $1`, [id])) as Array<{
      name: string;
    }>;
    return rows[0]?.name ?? null;
  }

  async userName(id: string): Promise<string | null> {
    const rows = (await this.dataSource.query(`SELECT display_name FROM users WHERE id = $1`, [id])) as Array<{
      display_name: string;
    }>;
    return rows[0]?.display_name ?? null;
  }

  /** People under an active legal hold (started or not: a hold protects from deletion from the day it is set). */
  async heldUserIds(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT target_id FROM retention_scopes WHERE kind = 'user' AND ended_at IS NULL ORDER BY target_id`,
    )) as Array<{ target_id: string }>;
    return rows.map((r) => r.target_id);
  }

  listPolicies(): Promise<PolicyRow[]> {
    return this.dataSource.query(`${POLICY_SELECT} ORDER BY p.scope DESC, d.path`);
  }

  async findPolicy(id: string): Promise<PolicyRow | null> {
    const rows = (await this.dataSource.query(`${POLICY_SELECT} WHERE p.id = $1`, [id])) as PolicyRow[];
    return rows[0] ?? null;
  }

  /** One policy per scope: returns the stored row and the previous days (null when new). */
  upsertPolicy(row: {
    id: string;
    scope: 'org' | 'department';
    departmentId: string | null;
    days: number;
    by: string;
  }): Promise<{ id: string; before: number | null }> {
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const existing = (await manager.query(
        `SELECT id, days FROM retention_policies WHERE scope = $1 AND department_id IS NOT DISTINCT FROM $2 FOR UPDATE`,
        [row.scope, row.departmentId],
      )) as Array<{ id: string; days: number }>;
      if (existing[0]) {
        await manager.query(
          `UPDATE retention_policies SET days = $2, updated_at = now(), updated_by = $3 WHERE id = $1`,
          [existing[0].id, row.days, row.by],
        );
        return { id: existing[0].id, before: existing[0].days };
      }
      await manager.query(
        `INSERT INTO retention_policies (id, scope, department_id, days, updated_by) VALUES ($1, $2, $3, $4, $5)`,
        [row.id, row.scope, row.departmentId, row.days, row.by],
      );
      return { id: row.id, before: null };
    });
  }

  /** Deletes a policy; returns it as it was, or null if there was none. */
  async deletePolicy(id: string): Promise<PolicyRow | null> {
    const removed = await this.findPolicy(id);
    if (!removed) return null;
    await this.dataSource.query(`DELETE FROM retention_policies WHERE id = $1`, [id]);
    return removed;
  }

  async lastRun(): Promise<RunRow | null> {
    const rows = (await this.dataSource.query(
      `SELECT ran_at, deleted_messages, deleted_attachments, conversations, kept_for_hold
       FROM retention_runs ORDER BY id DESC LIMIT 1`,
    )) as RunRow[];
    return rows[0] ?? null;
  }
}
