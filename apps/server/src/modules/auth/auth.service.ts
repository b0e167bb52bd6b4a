import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AuthState, LoginRequest, TotpConfirmResponse, TotpEnrollResponse, UserDto } from '@miyu/protocol';
import { randomBytes } from 'node:crypto';
import { changedFields } from '../../common/audit/changed-fields.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/json-logger.js';
import { PasswordHasher } from '../../common/security/password-hasher.js';
import { sha256 } from '../../common/security/tokens.js';
import { matchTotp, newTotpSecret, otpauthUrl } from '../../common/security/totp.js';
import { uuidv7 } from '../../common/security/uuid.js';
import { AuthError } from './auth.errors.js';
import {
  type Actor,
  type AuthenticatedSession,
  type ClientInfo,
  USER_PROFILE_CHANGED_EVENT,
  type UserProfileChangedEvent,
} from './auth.types.js';
import type { UserEntity } from './entities/user.entity.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { SessionsService } from './sessions.service.js';
import { toUserDto } from './user.mapper.js';
import { UsersRepository } from './users.repository.js';
import { TextFilterService } from '../word-policy/text-filter.service.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { PasswordSignInPolicy } from '../oidc/password-sign-in.policy.js';

const RECOVERY_CODE_COUNT = 10;
const TOTP_ISSUER = 'Miyu';

export interface SignedIn {
  token: string;
  state: AuthState;
}

/** What a sign-in attempt found out, for its audit record (never the password or a code). */
interface SignInAttempt {
  userId: string | null;
  cause:
    | 'unknown_login'
    | 'wrong_password'
    | 'disabled'
    | 'password_sign_in_disabled'
    | 'second_factor_missing'
    | 'wrong_second_factor'
    | null;
  secondFactor: 'totp' | 'recovery_code' | null;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly throttle: LoginThrottleService,
    @Inject(PasswordHasher) private readonly hasher: PasswordHasher,
    private readonly events: EventEmitter2,
    private readonly text: TextFilterService,
    private readonly passwordPolicy: PasswordSignInPolicy,
  ) {}

  /** Every attempt, successful or not, is audited (`auth.sign_in`, with the error code as the failure reason). */
  async login(request: LoginRequest, client: ClientInfo): Promise<SignedIn> {
    const login = request.login.trim().toLowerCase();
    const attempt: SignInAttempt = { userId: null, cause: null, secondFactor: null };
    try {
      const signedIn = await this.signIn(login, request, client, attempt);
      this.auditSignIn(login, client, attempt, signedIn.state.sessionId, null);
      return signedIn;
    } catch (err) {
      this.auditSignIn(login, client, attempt, null, err instanceof DomainError ? err.code : 'INTERNAL');
      throw err;
    }
  }

  private async signIn(
    login: string,
    request: LoginRequest,
    client: ClientInfo,
    attempt: SignInAttempt,
  ): Promise<SignedIn> {
    await this.throttle.beforeAttempt(login, client.ip);
    const user = await this.users.findByLogin(login);
    // Unknown and disabled accounts take the same time and give the same answer as a wrong password.
    const passwordOk = user
      ? await this.hasher.verify(user.passwordHash, request.password)
      : await this.hasher.verifyAgainstDummy(request.password);
    attempt.userId = user?.id ?? null;
    if (!user || !passwordOk || user.status !== 'active') {
      attempt.cause = !user ? 'unknown_login' : !passwordOk ? 'wrong_password' : 'disabled';
      await this.recordFailure(login, client, 'bad_credentials');
    }
    const verified = user!;
    // Checked only once the password is verified: a wrong password still gets the generic answer.
    if (!(await this.passwordPolicy.allows(verified.role))) {
      attempt.cause = 'password_sign_in_disabled';
      throw AuthError.passwordSignInDisabled();
    }
    if (verified.totpSecret) {
      attempt.cause = 'second_factor_missing';
      if (!request.totpCode && !request.recoveryCode) throw AuthError.totpRequired();
      attempt.secondFactor = request.totpCode ? 'totp' : 'recovery_code';
      attempt.cause = 'wrong_second_factor';
      const secondFactorOk = request.totpCode
        ? await this.acceptTotp(verified, request.totpCode)
        : await this.users.consumeRecoveryCode(verified.id, sha256(normaliseRecoveryCode(request.recoveryCode!)));
      if (!secondFactorOk) {
        const lockedUntil = await this.throttle.failed(login);
        logger.event('warn', 'auth', 'sign-in failed', {
          reason: 'bad_second_factor',
          userId: verified.id,
          ip: client.ip,
        });
        if (lockedUntil) throw AuthError.locked(Math.ceil((lockedUntil.getTime() - Date.now()) / 1000));
        throw AuthError.totpInvalid();
      }
    }
    attempt.cause = null;
    await this.throttle.succeeded(login);
    const { token, session } = await this.sessions.create(verified, client);
    logger.event('info', 'auth', 'signed in', { userId: verified.id, sessionId: session.id, ip: client.ip });
    return { token, state: { user: toUserDto(verified), sessionId: session.id, csrfToken: session.csrfToken } };
  }

  state(auth: AuthenticatedSession): AuthState {
    return { user: toUserDto(auth.user), sessionId: auth.session.id, csrfToken: auth.session.csrfToken };
  }

  async logout(actor: Actor): Promise<void> {
    await this.sessions.signOut(actor);
    this.audit({
      action: 'auth.sign_out',
      actor: { userId: actor.userId },
      entity: { type: 'session', id: actor.sessionId },
    });
  }

  async updateProfile(actor: Actor, request: { displayName?: string; locale?: UserDto['locale'] }): Promise<UserDto> {
    const patch =
      request.displayName === undefined
        ? request
        : { ...request, displayName: await this.text.check(request.displayName, 'display_name', actor) };
    const before = await this.mustFind(actor.userId);
    await this.users.update(actor.userId, patch);
    const changes = changedFields(before, patch, ['displayName', 'locale']);
    if (changes)
      this.audit({
        action: 'user.updated',
        entity: { type: 'user', id: actor.userId, name: before.login },
        context: { changes, source: 'profile' },
      });
    if (patch.displayName !== undefined) {
      const event: UserProfileChangedEvent = { userId: actor.userId };
      await this.events.emitAsync(USER_PROFILE_CHANGED_EVENT, event);
    }
    return toUserDto(await this.mustFind(actor.userId));
  }

  /** Changing the password ends every other session of the user. */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.mustFind(actor.userId);
    const entity = { type: 'user', id: user.id, name: user.login } as const;
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      this.audit({ action: 'auth.password_changed', entity, result: { ok: false, reason: 'AUTH_PASSWORD_INVALID' } });
      throw AuthError.passwordInvalid();
    }
    await this.users.update(user.id, { passwordHash: await this.hasher.hash(newPassword) });
    const revoked = await this.sessions.revoke(user.id, 'password_changed', { exceptId: actor.sessionId });
    this.audit({ action: 'auth.password_changed', entity, context: { sessionsRevoked: revoked.length } });
  }

  async enrollTotp(actor: Actor): Promise<TotpEnrollResponse> {
    const user = await this.mustFind(actor.userId);
    if (user.totpSecret) throw AuthError.totpAlreadyEnabled();
    const secret = newTotpSecret();
    await this.users.update(user.id, { totpPendingSecret: secret });
    return { secret, otpauthUrl: otpauthUrl(secret, user.login, TOTP_ISSUER) };
  }

  async confirmTotp(actor: Actor, code: string): Promise<TotpConfirmResponse> {
    const user = await this.mustFind(actor.userId);
    if (user.totpSecret) throw AuthError.totpAlreadyEnabled();
    if (!user.totpPendingSecret) throw AuthError.totpNotEnrolled();
    const step = matchTotp(user.totpPendingSecret, code, Date.now());
    const entity = { type: 'user', id: user.id, name: user.login } as const;
    if (step === null) {
      this.audit({ action: 'auth.totp_enabled', entity, result: { ok: false, reason: 'AUTH_TOTP_INVALID' } });
      throw AuthError.totpInvalid();
    }
    const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.users.transaction(async (manager) => {
      await this.users.update(
        user.id,
        { totpSecret: user.totpPendingSecret, totpPendingSecret: null, totpLastStep: String(step) },
        manager,
      );
      await this.users.replaceRecoveryCodes(
        user.id,
        recoveryCodes.map((c) => sha256(normaliseRecoveryCode(c))),
        uuidv7,
        manager,
      );
    });
    this.audit({ action: 'auth.totp_enabled', entity, context: { recoveryCodes: recoveryCodes.length } });
    return { recoveryCodes };
  }

  async disableTotp(actor: Actor, password: string): Promise<void> {
    const user = await this.mustFind(actor.userId);
    const entity = { type: 'user', id: user.id, name: user.login } as const;
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      this.audit({ action: 'auth.totp_disabled', entity, result: { ok: false, reason: 'AUTH_PASSWORD_INVALID' } });
      throw AuthError.passwordInvalid();
    }
    const wasEnabled = user.totpSecret !== null;
    await this.users.transaction(async (manager) => {
      await this.users.update(user.id, { totpSecret: null, totpPendingSecret: null, totpLastStep: null }, manager);
      await this.users.deleteRecoveryCodes(user.id, manager);
    });
    this.audit({ action: 'auth.totp_disabled', entity, context: { wasEnabled } });
  }

  private auditSignIn(
    login: string,
    client: ClientInfo,
    attempt: SignInAttempt,
    sessionId: string | null,
    failure: string | null,
  ): void {
    this.audit({
      action: 'auth.sign_in',
      // A failed attempt is made by nobody known yet: the account tried is the entity.
      actor: { userId: failure ? null : attempt.userId, ip: client.ip, userAgent: client.userAgent },
      entity: { type: 'user', id: attempt.userId, name: login },
      context: {
        ...(sessionId ? { sessionId } : {}),
        ...(attempt.cause ? { cause: attempt.cause } : {}),
        ...(attempt.secondFactor ? { secondFactor: attempt.secondFactor } : {}),
      },
      result: failure ? { ok: false, reason: failure } : { ok: true },
    });
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }

  private async acceptTotp(user: UserEntity, code: string): Promise<boolean> {
    const step = matchTotp(user.totpSecret!, code, Date.now());
    return step !== null && (await this.users.advanceTotpStep(user.id, step));
  }

  private async recordFailure(login: string, client: ClientInfo, reason: string): Promise<never> {
    const lockedUntil = await this.throttle.failed(login);
    logger.event('warn', 'auth', 'sign-in failed', { reason, ip: client.ip, locked: lockedUntil !== null });
    if (lockedUntil) throw AuthError.locked(Math.ceil((lockedUntil.getTime() - Date.now()) / 1000));
    throw AuthError.invalidCredentials();
  }

  private async mustFind(userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw AuthError.sessionExpired();
    return user;
  }
}

function newRecoveryCode(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'; // 32 symbols: no modulo bias
  const bytes = randomBytes(10);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

function normaliseRecoveryCode(code: string): string {
  return code.trim().toLowerCase().replace(/-/g, '');
}
