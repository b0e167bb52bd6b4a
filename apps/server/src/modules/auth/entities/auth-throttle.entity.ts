import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Login throttling state shared by every server process: `ip:<addr>` rows count attempts per minute window,
 * `login:<name>` rows count consecutive failures and hold the lockout (for unknown names too, so a lockout
 * does not reveal whether an account exists).
 */
@Entity({ name: 'auth_throttle' })
export class AuthThrottleEntity {
  @PrimaryColumn('text')
  key: string;

  @Column('timestamptz', { name: 'window_start' })
  windowStart: Date;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column('integer', { default: 0 })
  failures: number;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil: Date | null;
}
