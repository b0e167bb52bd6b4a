import type { Locale, UserRole } from '@miyu/protocol';
import { uuidv7 } from '../../../common/security/uuid.js';
import { UserEntity } from './user.entity.js';

export interface NewUserFields {
  login: string;
  displayName: string;
  passwordHash: string;
  employeeNo?: string | null;
  email?: string | null;
  phone?: string | null;
  locale?: Locale;
  role?: UserRole;
}

/** A new, active account row with every other column at its starting value (no 2FA, receipts on, not a bot). */
export function newUserEntity(fields: NewUserFields, now = new Date()): UserEntity {
  return Object.assign(new UserEntity(), {
    id: uuidv7(now.getTime()),
    login: fields.login.toLowerCase(),
    displayName: fields.displayName,
    employeeNo: fields.employeeNo ?? null,
    email: fields.email ?? null,
    phone: fields.phone ?? null,
    locale: fields.locale ?? 'zh-CN',
    status: 'active',
    role: fields.role ?? 'member',
    passwordHash: fields.passwordHash,
    totpSecret: null,
    totpPendingSecret: null,
    totpLastStep: null,
    createdAt: now,
    updatedAt: now,
    disabledAt: null,
    hideReadReceipts: false,
    bot: false,
  } satisfies UserEntity);
}
