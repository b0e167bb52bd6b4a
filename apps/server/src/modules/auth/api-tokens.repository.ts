import { Injectable } from '@nestjs/common';
import type { ApiTokenKind, ApiTokenScope } from '@miyu/protocol';
import { DataSource } from 'typeorm';

export interface ApiTokenRow {
  id: string;
  kind: ApiTokenKind;
  user_id: string;
  name: string;
  scopes: ApiTokenScope[];
  created_at: Date;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, kind, user_id, name, scopes, created_at, expires_at, last_used_at, revoked_at';

/** api_tokens (migration 1765290000000): only the SHA-256 of each token is stored. */
@Injectable()
export class ApiTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: Omit<ApiTokenRow, 'last_used_at' | 'revoked_at'> & { token_hash: Buffer }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO api_tokens (id, kind, user_id, name, token_hash, scopes, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, row.kind, row.user_id, row.name, row.token_hash, row.scopes, row.created_at, row.expires_at],
    );
  }

  /** A person's own (personal) tokens. */
  listForUser(userId: string): Promise<ApiTokenRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM api_tokens WHERE user_id = $1 AND kind = 'personal' ORDER BY created_at DESC LIMIT 200`,
      [userId],
    );
  }

  /** Every service token, whoever created it. */
  listService(): Promise<ApiTokenRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM api_tokens WHERE kind = 'service' ORDER BY created_at DESC LIMIT 500`,
    );
  }

  async findByHash(hash: Buffer): Promise<ApiTokenRow | null> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = $1`, [
      hash,
    ])) as ApiTokenRow[];
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<ApiTokenRow | null> {
    const rows = (await this.dataSource.query(`SELECT ${COLUMNS} FROM api_tokens WHERE id = $1`, [
      id,
    ])) as ApiTokenRow[];
    return rows[0] ?? null;
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const [, affected] = (await this.dataSource.query(
      `UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [id, at],
    )) as [unknown, number];
    return affected > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.dataSource.query(`UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, [id, at]);
  }
}
