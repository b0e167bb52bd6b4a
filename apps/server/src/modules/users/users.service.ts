import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { CreateUserRequest, SessionDto, UpdateUserRequest, UserDto, UserPage, UserRole } from '@miyu/protocol';
import type { EntityManager } from 'typeorm';
import { changedFields } from '../../common/audit/changed-fields.js';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { PasswordHasher } from '../../common/security/password-hasher.js';
import {
  type Actor,
  USER_DISABLED_EVENT,
  USER_PROFILE_CHANGED_EVENT,
  USER_STATUS_CHANGED_EVENT,
  type UserDisabledEvent,
  type UserProfileChangedEvent,
  type UserStatusChangedEvent,
} from '../auth/auth.types.js';
import { requireAdmin } from '../auth/require-admin.js';
import { newUserEntity } from '../auth/entities/new-user.js';
import { UserEntity } from '../auth/entities/user.entity.js';
import { SessionsService } from '../auth/sessions.service.js';
import { toUserDto } from '../auth/user.mapper.js';
import { UsersRepository } from '../auth/users.repository.js';
import { UsersError } from './users.errors.js';
import { TextFilterService } from '../word-policy/text-filter.service.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';

export type NewUser = Omit<CreateUserRequest, 'locale' | 'role'> & { locale?: UserEntity['locale']; role?: UserRole };

/** Account administration. Every method checks that the actor is an admin. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    private readonly events: EventEmitter2,
    private readonly text: TextFilterService,
  ) {}

  async list(actor: Actor, query: { q?: string; limit: number; offset: number }): Promise<UserPage> {
    requireAdmin(actor);
    const page = await this.users.page(query);
    return { items: page.items.map(toUserDto), total: page.total };
  }

  async create(actor: Actor, input: NewUser): Promise<UserDto> {
    requireAdmin(actor);
    const displayName = await this.text.check(input.displayName, 'display_name', actor);
    const user = toUserDto(await this.createUnchecked({ ...input, displayName }));
    await this.profileChanged(user.id);
    this.audit(createdRecord(user, 'admin'));
    return user;
  }

  /** For first-run setup and the admin CLI, which authorise by other means (setup token, shell access). */
  async createUnchecked(input: NewUser, manager?: EntityManager): Promise<UserEntity> {
    if (await this.users.findByLogin(input.login)) throw UsersError.loginTaken();
    if (input.employeeNo && (await this.users.findByEmployeeNo(input.employeeNo))) throw UsersError.employeeNoTaken();
    const user = newUserEntity({ ...input, passwordHash: await this.hasher.hash(input.password) });
    try {
      return await this.users.insert(user, manager);
    } catch (err) {
      throw mapUniqueViolation(err);
    }
  }

  async update(actor: Actor, userId: string, request: UpdateUserRequest): Promise<UserDto> {
    requireAdmin(actor);
    const patch =
      request.displayName === undefined
        ? request
        : { ...request, displayName: await this.text.check(request.displayName, 'display_name', actor) };
    const changed = await this.users.transaction(async (manager) => {
      const user = await manager
        .getRepository(UserEntity)
        .findOne({ where: { id: userId }, lock: { mode: 'pessimistic_write' } });
      if (!user) throw UsersError.notFound();
      const before = { ...user };
      const losesAdmin =
        user.role === 'admin' &&
        user.status === 'active' &&
        ((patch.role !== undefined && patch.role !== 'admin') || patch.status === 'disabled');
      // Serialise admin demotions so two concurrent ones cannot remove the last admin.
      if (losesAdmin) {
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['miyu:admins']);
        if (!(await this.users.otherActiveAdminExists(user.id, manager))) throw UsersError.lastAdmin();
      }
      const update: Partial<UserEntity> = {};
      if (patch.displayName !== undefined) update.displayName = patch.displayName;
      if (patch.employeeNo !== undefined) update.employeeNo = patch.employeeNo;
      if (patch.email !== undefined) update.email = patch.email;
      if (patch.phone !== undefined) update.phone = patch.phone;
      if (patch.role !== undefined) update.role = patch.role;
      if (patch.status !== undefined && patch.status !== user.status) {
        update.status = patch.status;
        update.disabledAt = patch.status === 'disabled' ? new Date() : null;
      }
      try {
        await this.users.update(user.id, update, manager);
      } catch (err) {
        throw mapUniqueViolation(err);
      }
      return { disabled: update.status === 'disabled', status: update.status, before };
    });
    // A disabled user's sessions and sockets end at once, on every server process.
    if (changed.disabled) {
      await this.sessions.revoke(userId, 'user_disabled');
      const event: UserDisabledEvent = { userId };
      await this.events.emitAsync(USER_DISABLED_EVENT, event);
    }
    if (['displayName', 'employeeNo', 'email', 'phone'].some((k) => k in patch)) await this.profileChanged(userId);
    if (changed.status) {
      const event: UserStatusChangedEvent = { userId, status: changed.status };
      await this.events.emitAsync(USER_STATUS_CHANGED_EVENT, event);
    }
    this.auditUpdate(changed.before, patch);
    const user = await this.users.findById(userId);
    return toUserDto(user!);
  }

  /** One record per kind of change: profile fields, role, status (with before and after). */
  private auditUpdate(before: UserEntity, patch: UpdateUserRequest): void {
    const entity = { type: 'user', id: before.id, name: before.login } as const;
    const changes = changedFields(before, patch, ['displayName', 'employeeNo', 'email', 'phone']);
    if (changes) this.audit({ action: 'user.updated', entity, context: { changes } });
    if (patch.role !== undefined && patch.role !== before.role)
      this.audit({ action: 'user.role_changed', entity, context: { before: before.role, after: patch.role } });
    if (patch.status !== undefined && patch.status !== before.status)
      this.audit({
        action: patch.status === 'disabled' ? 'user.disabled' : 'user.enabled',
        entity,
        context: { before: before.status, after: patch.status },
      });
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }

  /** The org directory re-indexes the person at once (search finds new and renamed people immediately). */
  private async profileChanged(userId: string): Promise<void> {
    const event: UserProfileChangedEvent = { userId };
    await this.events.emitAsync(USER_PROFILE_CHANGED_EVENT, event);
  }

  /** Sets a password for an account (imported people have none); the account's sessions end. */
  async setPassword(actor: Actor, userId: string, password: string): Promise<void> {
    requireAdmin(actor);
    const user = await this.users.findById(userId);
    if (!user) throw UsersError.notFound();
    // A webhook's bot account never signs in: giving it a password would let someone post as the integration.
    if (user.bot) throw new ForbiddenError('An integration’s bot account cannot have a password.');
    await this.users.update(userId, { passwordHash: await this.hasher.hash(password) });
    // Like a password change: the account's sessions end, except the one doing it when admins reset their own.
    const revoked = await this.sessions.revoke(
      userId,
      'password_changed',
      userId === actor.userId ? { exceptId: actor.sessionId } : {},
    );
    this.audit({
      action: 'user.password_set',
      entity: { type: 'user', id: userId, name: user.login },
      context: { sessionsRevoked: revoked.length },
    });
  }

  async sessionsOf(actor: Actor, userId: string): Promise<SessionDto[]> {
    requireAdmin(actor);
    if (!(await this.users.findById(userId))) throw UsersError.notFound();
    return this.sessions.list(actor, userId);
  }

  async revokeSessionsOf(actor: Actor, userId: string): Promise<number> {
    requireAdmin(actor);
    if (!(await this.users.findById(userId))) throw UsersError.notFound();
    return (await this.sessions.revoke(userId, 'revoked')).length;
  }
}

/** `user.created`: the account's profile and role (never its password). */
export function createdRecord(user: UserDto, source: 'admin' | 'setup'): AuditRecord {
  return {
    action: 'user.created',
    entity: { type: 'user', id: user.id, name: user.login },
    context: {
      source,
      displayName: user.displayName,
      role: user.role,
      employeeNo: user.employeeNo,
      email: user.email,
      phone: user.phone,
      locale: user.locale,
    },
  };
}

function mapUniqueViolation(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.driverError?.code ?? e.code;
  const constraint = e.driverError?.constraint ?? e.constraint;
  if (code === '23505' && constraint === 'users_login_key') return UsersError.loginTaken();
  if (code === '23505' && constraint === 'users_employee_no_key') return UsersError.employeeNoTaken();
  return err;
}
