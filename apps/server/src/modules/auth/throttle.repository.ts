import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ThrottleRow {
  attempts: number;
  failures: number;
  lockedUntil: Date | null;
  windowStart: Date;
}

/** Atomic counters in `auth_throttle`, shared by every server process. */
@Injectable()
export class ThrottleRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts one attempt in a fixed window of `windowSeconds`; returns the count in the current window. */
  async hit(key: string, windowSeconds: number): Promise<{ attempts: number; windowStart: Date }> {
    const rows = (await this.dataSource.query(
      `INSERT INTO auth_throttle (key, window_start, attempts, failures)
       VALUES ($1, now(), 1, 0)
       ON CONFLICT (key) DO UPDATE SET
         attempts = CASE WHEN auth_throttle.window_start < now() - make_interval(secs => $2) THEN 1 ELSE auth_throttle.attempts + 1 END,
         window_start = CASE WHEN auth_throttle.window_start < now() - make_interval(secs => $2) THEN now() ELSE auth_throttle.window_start END
       RETURNING attempts, window_start`,
      [key, windowSeconds],
    )) as Array<{ attempts: number; window_start: Date }>;
    const row = rows[0]!;
    return { attempts: row.attempts, windowStart: row.window_start };
  }

  async get(key: string): Promise<ThrottleRow | null> {
    const rows = (await this.dataSource.query(
      `SELECT attempts, failures, locked_until, window_start FROM auth_throttle WHERE key = $1`,
      [key],
    )) as Array<{ attempts: number; failures: number; locked_until: Date | null; window_start: Date }>;
    const row = rows[0];
    return row
      ? { attempts: row.attempts, failures: row.failures, lockedUntil: row.locked_until, windowStart: row.window_start }
      : null;
  }

  /** Counts a failure; when `maxFailures` is reached, locks the key for `lockSeconds` and resets the count. */
  async fail(key: string, maxFailures: number, lockSeconds: number): Promise<{ lockedUntil: Date | null }> {
    const rows = (await this.dataSource.query(
      `INSERT INTO auth_throttle (key, window_start, attempts, failures, locked_until)
       VALUES ($1, now(), 0, 1, CASE WHEN 1 >= $2 THEN now() + make_interval(secs => $3) END)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN auth_throttle.failures + 1 >= $2 THEN 0 ELSE auth_throttle.failures + 1 END,
         locked_until = CASE WHEN auth_throttle.failures + 1 >= $2 THEN now() + make_interval(secs => $3)
                             ELSE auth_throttle.locked_until END
       RETURNING locked_until`,
      [key, maxFailures, lockSeconds],
    )) as Array<{ locked_until: Date | null }>;
    const lockedUntil = rows[0]?.locked_until ?? null;
    return { lockedUntil: lockedUntil && lockedUntil.getTime() > Date.now() ? lockedUntil : null };
  }

  async reset(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM auth_throttle WHERE key = $1`, [key]);
  }

  /** Housekeeping: forget rows idle for a day. */
  async prune(): Promise<number> {
    const result = (await this.dataSource.query(
      `DELETE FROM auth_throttle WHERE window_start < now() - interval '1 day' AND (locked_until IS NULL OR locked_until < now())`,
    )) as [unknown[], number];
    return Array.isArray(result) ? (result[1] ?? 0) : 0;
  }
}
