import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  API_TOKEN_PREFIX,
  type ApiTokenDto,
  type ApiTokenKind,
  type ApiTokenScope,
  type CreateApiTokenRequest,
  type CreatedApiToken,
  type CreateServiceTokenRequest,
  ErrorCode,
  SERVICE_TOKEN_SCOPES,
  type UserRole,
} from '@miyu/protocol';
import { DomainError, ForbiddenError } from '../../common/errors/domain-error.js';
import { randomToken, sha256 } from '../../common/security/tokens.js';
import { uuidv7 } from '../../common/security/uuid.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { AuthError } from './auth.errors.js';
import type { Actor } from './auth.types.js';
import { type ApiTokenRow, ApiTokensRepository } from './api-tokens.repository.js';
import type { UserEntity } from './entities/user.entity.js';
import { UsersRepository } from './users.repository.js';

/** Which scopes each role may put on a personal token (checked at creation and again on every use). */
const SCOPES_BY_ROLE: Record<UserRole, readonly ApiTokenScope[]> = {
  admin: ['audit:read'],
  auditor: ['compliance:export', 'audit:read'],
  member: [],
};

const TOUCH_INTERVAL_MS = 60_000;
/** `miyu_pat_` + 43 base64url characters (256 random bits). */
const TOKEN_PATTERN = /^miyu_pat_[A-Za-z0-9_-]{43}$/;

export interface TokenAuthentication {
  user: UserEntity;
  token: ApiTokenRow;
  /** The token's scopes that the user's current role still allows. */
  scopes: ApiTokenScope[];
}

export const ApiTokenError = {
  notFound: () => new DomainError(ErrorCode.API_TOKEN_NOT_FOUND, 'No such API token.'),
  scopeForbidden: (scopes: string[]) =>
    new DomainError(
      ErrorCode.API_TOKEN_SCOPE_FORBIDDEN,
      `This token may not be used here (needs ${scopes.join(' or ')}).`,
    ),
  scopeNotAllowed: (scope: string) =>
    new DomainError(ErrorCode.API_TOKEN_SCOPE_FORBIDDEN, `Your role may not create tokens with the scope ${scope}.`, {
      details: [{ path: 'scopes', message: scope }],
    }),
};

/**
 * Personal API tokens: bearer credentials for tools (the compliance export, audit readers). A token acts as its
 * user on the routes that name one of its scopes, and nowhere else; it is shown once and stored as a hash.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly tokens: ApiTokensRepository,
    private readonly users: UsersRepository,
    private readonly events: EventEmitter2,
  ) {}

  /** A personal token, acting as the actor, with scopes their role allows. */
  async create(actor: Actor, request: CreateApiTokenRequest): Promise<CreatedApiToken> {
    const allowed = SCOPES_BY_ROLE[actor.role];
    for (const scope of request.scopes) if (!allowed.includes(scope)) throw ApiTokenError.scopeNotAllowed(scope);
    return this.issue(actor, 'personal', request);
  }

  /** A service token for another system (admins only); it acts as the admin who created it. */
  async createService(actor: Actor, request: CreateServiceTokenRequest): Promise<CreatedApiToken> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    return this.issue(actor, 'service', request);
  }

  async list(actor: Actor): Promise<ApiTokenDto[]> {
    return (await this.tokens.listForUser(actor.userId)).map(toDto);
  }

  async listService(actor: Actor): Promise<ApiTokenDto[]> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    return (await this.tokens.listService()).map(toDto);
  }

  private async issue(
    actor: Actor,
    kind: ApiTokenKind,
    request: { name: string; scopes: readonly ApiTokenScope[]; expiresInDays: number },
  ): Promise<CreatedApiToken> {
    const token = `${API_TOKEN_PREFIX}${randomToken(32)}`;
    const now = new Date();
    const row = {
      id: uuidv7(),
      kind,
      user_id: actor.userId,
      name: request.name,
      scopes: [...new Set(request.scopes)],
      created_at: now,
      expires_at: new Date(now.getTime() + request.expiresInDays * 86_400_000),
    };
    await this.tokens.insert({ ...row, token_hash: sha256(token) });
    this.audit({
      action: 'api_token.created',
      actor: { userId: actor.userId },
      entity: { type: 'api_token', id: row.id, name: row.name },
      context: { kind, scopes: row.scopes, expiresAt: row.expires_at.toISOString() },
    });
    return { ...toDto({ ...row, last_used_at: null, revoked_at: null }), token };
  }

  /** Owners revoke their own tokens; admins any token. */
  async revoke(actor: Actor, id: string): Promise<void> {
    const row = await this.tokens.findById(id);
    if (!row || (row.user_id !== actor.userId && actor.role !== 'admin')) throw ApiTokenError.notFound();
    if (!(await this.tokens.revoke(id, new Date()))) return;
    this.audit({
      action: 'api_token.revoked',
      actor: { userId: actor.userId },
      entity: { type: 'api_token', id, name: row.name },
      context: { ownerUserId: row.user_id },
    });
  }

  /** Resolves a bearer token, or throws UNAUTHENTICATED (unknown, malformed, expired, revoked, user not active). */
  async authenticate(token: string): Promise<TokenAuthentication> {
    if (!TOKEN_PATTERN.test(token)) throw AuthError.unauthenticated();
    const row = await this.tokens.findByHash(sha256(token));
    const now = Date.now();
    if (!row || row.revoked_at || row.expires_at.getTime() <= now) throw AuthError.unauthenticated();
    const user = await this.users.findById(row.user_id);
    if (!user || user.status !== 'active') throw AuthError.unauthenticated();
    if (!row.last_used_at || now - row.last_used_at.getTime() > TOUCH_INTERVAL_MS) {
      await this.tokens.touch(row.id, new Date(now));
    }
    return { user, token: row, scopes: row.scopes.filter((s) => allowedScopes(row.kind, user.role).includes(s)) };
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}

/** What a token may still do today: its user's role decides (a demoted admin's service tokens stop working). */
function allowedScopes(kind: ApiTokenKind, role: UserRole): readonly ApiTokenScope[] {
  if (kind === 'personal') return SCOPES_BY_ROLE[role];
  return role === 'admin' ? SERVICE_TOKEN_SCOPES : [];
}

function toDto(row: ApiTokenRow): ApiTokenDto {
  return {
    id: row.id,
    kind: row.kind,
    ownerUserId: row.user_id,
    name: row.name,
    scopes: row.scopes,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
