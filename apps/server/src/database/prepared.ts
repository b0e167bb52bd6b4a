import type pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs a named statement on a connection of `dataSource`'s pool, in a transaction of its own: PostgreSQL parses
 * and plans it once per connection and then only binds and executes it (the pg driver prepares a name the first
 * time it sees it on a connection). For hot single statements whose text never changes (arrays go in as one
 * parameter each). `name` must be unique per text.
 */
export async function prepared<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  return (await pool.query<T & pg.QueryResultRow>({ name, text, values })).rows;
}
