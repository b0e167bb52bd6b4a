import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Locale, UserRole, UserStatus } from '@miyu/protocol';

@Entity({ name: 'users' })
@Index('users_login_key', ['login'], { unique: true })
@Index('users_employee_no_key', ['employeeNo'], { unique: true, where: 'employee_no IS NOT NULL' })
// The org directory lists people in name order and counts disabled people apart (migration 1764600000000).
@Index('users_directory_name_idx', ['displayName', 'id'])
@Index('users_disabled_idx', ['id'], { where: `status = 'disabled'` })
@Check('users_role_check', `role IN ('member', 'admin', 'auditor')`)
@Check('users_status_check', `status IN ('active', 'disabled')`)
export class UserEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** Lower-cased login name. */
  @Column('text')
  login: string;

  @Column('text', { name: 'display_name' })
  displayName: string;

  @Column('text', { name: 'employee_no', nullable: true })
  employeeNo: string | null;

  @Column('text', { nullable: true })
  email: string | null;

  @Column('text', { nullable: true })
  phone: string | null;

  @Column('text', { default: 'zh-CN' })
  locale: Locale;

  @Column('text', { default: 'active' })
  status: UserStatus;

  @Column('text', { default: 'member' })
  role: UserRole;

  /** Argon2id PHC string (libsodium crypto_pwhash_str). */
  @Column('text', { name: 'password_hash' })
  passwordHash: string;

  @Column('text', { name: 'totp_secret', nullable: true })
  totpSecret: string | null;

  @Column('text', { name: 'totp_pending_secret', nullable: true })
  totpPendingSecret: string | null;

  /** Last accepted TOTP time step: a code is accepted once. */
  @Column('bigint', { name: 'totp_last_step', nullable: true })
  totpLastStep: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;

  /** Read receipts off for this person (only honoured when the org makes receipts optional). */
  @Column('boolean', { name: 'hide_read_receipts', default: false })
  hideReadReceipts: boolean;

  /**
   * A bot account (an incoming webhook posts as it, modules/webhooks): nobody knows its password, and clients show
   * it with an integration badge. Optional here so code creating people need not name it (the column defaults false).
   */
  @Column('boolean', { default: false })
  bot?: boolean;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt: Date | null;
}
