import { Injectable } from '@nestjs/common';
import type {
  FilterActionName,
  FilterOptionsDto,
  FilterRuleDto,
  FilterRuleListQuery,
  FilterRulePage,
} from '@miyu/protocol';
import { DataSource, type EntityManager } from 'typeorm';

/** Versions that keep their whole signed document; older ones keep its hash and signature. */
export const KEPT_POLICY_DOCUMENTS = 20;
const PUBLISH_LOCK = `hashtext('miyu:word-policy:publish')`;

export interface RuleRow {
  id: string;
  type: 'word' | 'pattern';
  pattern: string;
  validator: 'none' | 'luhn' | 'cn-id-card';
  category: string;
  action: FilterActionName;
}

export interface NewRule extends RuleRow {
  matchKey: string;
}

export interface PublishedVersion {
  version: number;
  payload: string;
  signature: Buffer;
  publishedAt: Date;
  ruleCount: number;
  whitelistCount: number;
}

type Db = DataSource | EntityManager;

/** SQL for the editable policy (rules, whitelist, options) and its published, signed versions. */
@Injectable()
export class WordPolicyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` holding the publish lock, so versions are numbered and signed one at a time. */
  transaction<T>(work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (db) => {
      await db.query(`SELECT pg_advisory_xact_lock(${PUBLISH_LOCK})`);
      return work(db);
    });
  }

  async listRules(query: FilterRuleListQuery): Promise<FilterRulePage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.q) {
      params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`pattern ILIKE $${params.length}`);
    }
    if (query.category) {
      params.push(query.category);
      where.push(`category = $${params.length}`);
    }
    if (query.action) {
      params.push(query.action);
      where.push(`action = $${params.length}`);
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, total, categories] = await Promise.all([
      this.dataSource.query(
        `SELECT id, type, pattern, validator, category, action, updated_at FROM filter_rules ${filter}
          ORDER BY type DESC, match_key LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, query.limit, query.offset],
      ) as Promise<Array<RuleRow & { updated_at: Date }>>,
      this.dataSource.query(`SELECT count(*)::int AS n FROM filter_rules ${filter}`, params) as Promise<
        Array<{ n: number }>
      >,
      this.dataSource.query(
        `SELECT category, count(*)::int AS count FROM filter_rules GROUP BY category ORDER BY category`,
      ) as Promise<Array<{ category: string; count: number }>>,
    ]);
    return {
      items: rows.map(({ updated_at, ...r }): FilterRuleDto => ({ ...r, updatedAt: updated_at.toISOString() })),
      total: total[0]!.n,
      categories,
    };
  }

  async allRules(db: Db = this.dataSource): Promise<RuleRow[]> {
    return (await db.query(
      `SELECT id, type, pattern, validator, category, action FROM filter_rules ORDER BY type DESC, match_key`,
    )) as RuleRow[];
  }

  async findRule(db: Db, id: string): Promise<RuleRow | undefined> {
    const rows = (await db.query(
      `SELECT id, type, pattern, validator, category, action FROM filter_rules WHERE id = $1`,
      [id],
    )) as RuleRow[];
    return rows[0];
  }

  async ruleIdByKey(db: Db, type: string, matchKey: string): Promise<string | undefined> {
    const rows = (await db.query(`SELECT id FROM filter_rules WHERE type = $1 AND match_key = $2`, [
      type,
      matchKey,
    ])) as Array<{ id: string }>;
    return rows[0]?.id;
  }

  async insertRule(db: Db, rule: NewRule, by: string): Promise<void> {
    await db.query(
      `INSERT INTO filter_rules (id, type, pattern, match_key, validator, category, action, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [rule.id, rule.type, rule.pattern, rule.matchKey, rule.validator, rule.category, rule.action, by],
    );
  }

  async updateRule(db: Db, rule: NewRule): Promise<void> {
    await db.query(
      `UPDATE filter_rules SET type = $2, pattern = $3, match_key = $4, validator = $5, category = $6, action = $7,
              updated_at = now() WHERE id = $1`,
      [rule.id, rule.type, rule.pattern, rule.matchKey, rule.validator, rule.category, rule.action],
    );
  }

  async deleteRule(db: Db, id: string): Promise<boolean> {
    const [, affected] = (await db.query(`DELETE FROM filter_rules WHERE id = $1`, [id])) as [unknown, number];
    return affected > 0;
  }

  /** Adds words, or changes the category and action of words already listed; counts both. */
  async upsertWords(db: Db, rules: NewRule[], by: string): Promise<{ added: number; updated: number }> {
    const rows = (await db.query(
      `INSERT INTO filter_rules (id, type, pattern, match_key, validator, category, action, created_by)
       SELECT id, 'word', pattern, match_key, 'none', category, action, $6
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS r(id, pattern, match_key, category, action)
       ON CONFLICT (type, match_key) DO UPDATE SET category = EXCLUDED.category, action = EXCLUDED.action, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [
        rules.map((r) => r.id),
        rules.map((r) => r.pattern),
        rules.map((r) => r.matchKey),
        rules.map((r) => r.category),
        rules.map((r) => r.action),
        by,
      ],
    )) as Array<{ inserted: boolean }>;
    const added = rows.filter((r) => r.inserted).length;
    return { added, updated: rows.length - added };
  }

  async existingWordKeys(keys: string[]): Promise<Set<string>> {
    const rows = (await this.dataSource.query(
      `SELECT match_key FROM filter_rules WHERE type = 'word' AND match_key = ANY($1::text[])`,
      [keys],
    )) as Array<{ match_key: string }>;
    return new Set(rows.map((r) => r.match_key));
  }

  async whitelist(db: Db = this.dataSource): Promise<Array<{ id: string; phrase: string }>> {
    return (await db.query(`SELECT id, phrase FROM filter_whitelist ORDER BY match_key`)) as Array<{
      id: string;
      phrase: string;
    }>;
  }

  async addWhitelist(db: Db, id: string, phrase: string, matchKey: string): Promise<boolean> {
    const rows = (await db.query(
      `INSERT INTO filter_whitelist (id, phrase, match_key) VALUES ($1, $2, $3) ON CONFLICT (match_key) DO NOTHING RETURNING id`,
      [id, phrase, matchKey],
    )) as unknown[];
    return rows.length > 0;
  }

  async deleteWhitelist(db: Db, id: string): Promise<boolean> {
    const [, affected] = (await db.query(`DELETE FROM filter_whitelist WHERE id = $1`, [id])) as [unknown, number];
    return affected > 0;
  }

  async options(db: Db = this.dataSource): Promise<FilterOptionsDto> {
    const rows = (await db.query(
      `SELECT fold_traditional, skip_separators FROM filter_settings WHERE id = 1`,
    )) as Array<{ fold_traditional: boolean; skip_separators: boolean }>;
    const row = rows[0] ?? { fold_traditional: true, skip_separators: true };
    return { foldTraditional: row.fold_traditional, skipSeparators: row.skip_separators };
  }

  async setOptions(db: Db, options: FilterOptionsDto): Promise<void> {
    await db.query(
      `UPDATE filter_settings SET fold_traditional = $1, skip_separators = $2, updated_at = now() WHERE id = 1`,
      [options.foldTraditional, options.skipSeparators],
    );
  }

  async latestVersionNumber(db: Db = this.dataSource): Promise<number> {
    const rows = (await db.query(`SELECT coalesce(max(version), 0) AS v FROM filter_policy_versions`)) as Array<{
      v: number;
    }>;
    return Number(rows[0]!.v);
  }

  async latest(): Promise<PublishedVersion | null> {
    const rows = (await this.dataSource.query(
      `SELECT version, payload, signature, published_at, rule_count, whitelist_count
         FROM filter_policy_versions ORDER BY version DESC LIMIT 1`,
    )) as Array<{
      version: number;
      payload: string;
      signature: Buffer;
      published_at: Date;
      rule_count: number;
      whitelist_count: number;
    }>;
    const r = rows[0];
    if (!r) return null;
    return {
      version: r.version,
      payload: r.payload,
      signature: r.signature,
      publishedAt: r.published_at,
      ruleCount: r.rule_count,
      whitelistCount: r.whitelist_count,
    };
  }

  async insertVersion(
    db: EntityManager,
    v: Omit<PublishedVersion, 'publishedAt'> & { sha256: Buffer; by: string | null },
  ): Promise<void> {
    await db.query(
      `INSERT INTO filter_policy_versions (version, payload, payload_sha256, signature, rule_count, whitelist_count, published_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [v.version, v.payload, v.sha256, v.signature, v.ruleCount, v.whitelistCount, v.by],
    );
    await db.query(`UPDATE filter_policy_versions SET payload = NULL WHERE version <= $1 AND payload IS NOT NULL`, [
      v.version - KEPT_POLICY_DOCUMENTS,
    ]);
  }
}
