import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AuthMethods } from '@miyu/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/json-logger.js';
import { randomToken, sha256 } from '../../common/security/tokens.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { type ClientInfo, USER_PROFILE_CHANGED_EVENT, type UserProfileChangedEvent } from '../auth/auth.types.js';
import type { UserEntity } from '../auth/entities/user.entity.js';
import { SessionsService } from '../auth/sessions.service.js';
import { UsersRepository } from '../auth/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { mapClaims, type MappedIdentity } from './oidc-claims.js';
import { OidcClient } from './oidc-client.js';
import { OidcError } from './oidc.errors.js';
import { OidcPeopleRepository, OidcRepository, type OidcSettingsRow } from './oidc.repository.js';
import { PasswordSignInPolicy } from './password-sign-in.policy.js';

/** How long a started sign-in may take at the provider. */
export const OIDC_STATE_TTL_MS = 10 * 60_000;
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

export interface StartedSignIn {
  redirectTo: URL;
  /** Goes into the short-lived browser-binding cookie; its hash is stored with the state. */
  browserBinding: string;
}

/** The callback's query: what the provider sent back, exactly (the library re-reads it). */
export type CallbackQuery = URLSearchParams;

@Injectable()
export class OidcSignInService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: OidcRepository,
    private readonly people: OidcPeopleRepository,
    private readonly client: OidcClient,
    private readonly sessions: SessionsService,
    private readonly users: UsersRepository,
    private readonly usersAdmin: UsersService,
    private readonly policy: PasswordSignInPolicy,
    private readonly events: EventEmitter2,
  ) {}

  redirectUri(): string {
    return new URL(OIDC_CALLBACK_PATH, this.config.publicUrl).toString();
  }

  async methods(): Promise<AuthMethods> {
    const settings = await this.repo.settings();
    const oidcOn = settings?.enabled === true;
    return {
      password: !(await this.policy.disabled()),
      oidc: oidcOn ? { label: settings.button_label, startUrl: '/api/auth/oidc/start' } : null,
    };
  }

  async start(): Promise<StartedSignIn> {
    const settings = await this.enabledSettings();
    const request = await this.client.authorizationRequest(settings, this.redirectUri());
    const browserBinding = randomToken();
    await this.repo.insertState(sha256(request.state), {
      browser_hash: sha256(browserBinding),
      nonce: request.nonce,
      code_verifier: request.codeVerifier,
      expires_at: new Date(Date.now() + OIDC_STATE_TTL_MS),
    });
    return { redirectTo: request.url, browserBinding };
  }

  /** Every callback, successful or not, is audited as `auth.sign_in` with method `oidc`. */
  async callback(
    query: CallbackQuery,
    browserBinding: string | undefined,
    client: ClientInfo,
  ): Promise<{ token: string; userId: string }> {
    const seen: { identity: MappedIdentity | null; userId: string | null } = { identity: null, userId: null };
    try {
      const { token, user, sessionId, provisioned } = await this.signIn(query, browserBinding, client, seen);
      this.audit({
        action: 'auth.sign_in',
        actor: { userId: user.id, ip: client.ip, userAgent: client.userAgent },
        entity: { type: 'user', id: user.id, name: user.login },
        context: {
          method: 'oidc',
          sessionId,
          matchedBy: seen.identity!.matchBy,
          ...(provisioned ? { provisioned } : {}),
        },
      });
      return { token, userId: user.id };
    } catch (err) {
      const reason = err instanceof DomainError ? err.code : 'INTERNAL';
      this.audit({
        action: 'auth.sign_in',
        actor: { userId: null, ip: client.ip, userAgent: client.userAgent },
        entity: { type: 'user', id: seen.userId, name: seen.identity?.key ?? null },
        context: { method: 'oidc' },
        result: { ok: false, reason },
      });
      logger.event('warn', 'auth', 'oidc sign-in failed', { reason, ip: client.ip });
      throw err;
    }
  }

  private async signIn(
    query: CallbackQuery,
    browserBinding: string | undefined,
    client: ClientInfo,
    seen: { identity: MappedIdentity | null; userId: string | null },
  ): Promise<{ token: string; user: UserEntity; sessionId: string; provisioned: boolean }> {
    const settings = await this.enabledSettings();
    const state = query.get('state');
    if (!state || state.length > 512) throw OidcError.stateInvalid();
    // Consumed before anything else: a state (and so the code it came with) is tried once, whatever happens.
    const stored = await this.repo.consumeState(sha256(state));
    if (!stored || stored.expires_at.getTime() <= Date.now()) throw OidcError.stateInvalid();
    // The browser that comes back must be the one that started: no one can push their own sign-in onto a victim.
    if (!browserBinding || !sha256(browserBinding).equals(stored.browser_hash)) throw OidcError.stateInvalid();

    const callbackUrl = new URL(this.redirectUri());
    callbackUrl.search = query.toString();
    const claims = await this.client.redeem(settings, callbackUrl, {
      state,
      nonce: stored.nonce,
      codeVerifier: stored.code_verifier,
    });
    const identity = mapClaims(claims, {
      matchBy: settings.match_by,
      employeeNoClaim: settings.employee_no_claim,
      nameClaim: settings.name_claim,
    });
    seen.identity = identity;
    const userId =
      identity.matchBy === 'email'
        ? await this.people.idByEmail(identity.key)
        : await this.people.idByEmployeeNo(identity.key);
    let user = userId ? await this.users.findById(userId) : null;
    let provisioned = false;
    if (!user) {
      if (!settings.jit_provisioning) throw OidcError.userUnknown();
      user = await this.provision(identity);
      provisioned = true;
    }
    seen.userId = user.id;
    if (user.status !== 'active') throw OidcError.userDisabled();
    // The provider did the authentication (and its own second factor); Miyu's TOTP guards password sign-in only.
    const { token, session } = await this.sessions.create(user, client);
    logger.event('info', 'auth', 'signed in', {
      userId: user.id,
      sessionId: session.id,
      ip: client.ip,
      method: 'oidc',
    });
    return { token, user, sessionId: session.id, provisioned };
  }

  /** Just-in-time provisioning: a member with the mapped name, email and employee number, and no usable password. */
  private async provision(identity: MappedIdentity): Promise<UserEntity> {
    const login = await this.freeLogin(identity);
    const user = await this.usersAdmin.createUnchecked({
      login,
      displayName: identity.displayName ?? identity.email ?? identity.employeeNo ?? login,
      email: identity.email ?? undefined,
      employeeNo: identity.employeeNo ?? undefined,
      // Nobody knows this password: the person signs in through the provider (an admin may set one later).
      password: randomToken(),
      role: 'member',
    });
    const event: UserProfileChangedEvent = { userId: user.id };
    await this.events.emitAsync(USER_PROFILE_CHANGED_EVENT, event);
    this.audit({
      action: 'user.created',
      actor: { userId: null },
      entity: { type: 'user', id: user.id, name: user.login },
      context: {
        source: 'oidc',
        displayName: user.displayName,
        role: user.role,
        employeeNo: user.employeeNo,
        email: user.email,
        phone: user.phone,
        locale: user.locale,
      },
    });
    return user;
  }

  /** A valid login name from the email's local part (or the employee number), numbered if already taken. */
  private async freeLogin(identity: MappedIdentity): Promise<string> {
    const base = loginBase(identity);
    for (let n = 1; n <= 50; n++) {
      const candidate = n === 1 ? base : `${base.slice(0, 60)}-${n}`;
      if (!(await this.users.findByLogin(candidate))) return candidate;
    }
    return `${base.slice(0, 40)}-${randomToken(8)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, 'x')}`;
  }

  private async enabledSettings(): Promise<OidcSettingsRow> {
    const settings = await this.repo.settings();
    if (!settings?.enabled) throw OidcError.notConfigured();
    return settings;
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}

/** Login names are [a-z0-9][a-z0-9._-]{1,63} (loginNameSchema). */
export function loginBase(identity: Pick<MappedIdentity, 'email' | 'employeeNo'>): string {
  const source = identity.email ? identity.email.split('@')[0]! : `emp-${identity.employeeNo ?? ''}`;
  const cleaned = source
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '')
    .replace(/^[._-]+/, '')
    .slice(0, 64);
  return cleaned.length >= 2 ? cleaned : `user-${cleaned}`.replace(/-$/, '-x');
}
