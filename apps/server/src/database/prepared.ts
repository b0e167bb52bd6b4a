import type pg from 'pg';
import type { EntityManager, QueryRunner } from 'typeorm';

/**
 * Runs a named statement on the connection of `manager`'s transaction: PostgreSQL parses and plans it once per
 * connection and then only binds and executes it (the pg driver prepares a name the first time it sees it on a
 * connection). For hot statements whose text never changes (arrays go in as one parameter each, through unnest).
 * `name` must be unique per text. Without a transaction's connection, it runs as an ordinary query.
 */
export async function prepared<T>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const connection = (manager.queryRunner as (QueryRunner & { databaseConnection?: pg.PoolClient }) | undefined)
    ?.databaseConnection;
  if (!connection) return (await manager.query(text, values)) as T[];
  return (await connection.query<T & pg.QueryResultRow>({ name, text, values })).rows;
}
