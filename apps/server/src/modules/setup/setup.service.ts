import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { SetupStatus } from '@miyu/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { logger } from '../../common/logging/json-logger.js';
import { randomToken, sha256 } from '../../common/security/tokens.js';
import type { ClientInfo } from '../auth/auth.types.js';
import type { SignedIn } from '../auth/auth.service.js';
import { SessionsService } from '../auth/sessions.service.js';
import { toUserDto } from '../auth/user.mapper.js';
import { UsersRepository } from '../auth/users.repository.js';
import { createdRecord, type NewUser, UsersService } from '../users/users.service.js';
import { AUDIT_EVENT } from '../audit/audit.events.js';
import { SetupError } from './setup.errors.js';
import { SetupRepository } from './setup.repository.js';

const TOKEN_TTL_MS = 24 * 3_600_000;

/**
 * First run: while no admin exists, each server process mints a one-time setup token, stores its hash and prints
 * the setup link. There is no default password. The first admin created (through the link or the admin CLI)
 * invalidates every outstanding token.
 */
@Injectable()
export class SetupService implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly setup: SetupRepository,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly sessions: SessionsService,
    private readonly events: EventEmitter2,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.adminExists()) return;
    const token = this.config.setupToken ?? randomToken();
    await this.setup.addToken(sha256(token), new Date(Date.now() + TOKEN_TTL_MS));
    const url = new URL('/setup', this.config.publicUrl);
    url.hash = `token=${encodeURIComponent(token)}`;
    logger.event('warn', 'setup', `No admin account exists yet. Open this one-time link to create it: ${url.href}`, {
      setupUrl: url.href,
      expiresInHours: TOKEN_TTL_MS / 3_600_000,
    });
  }

  async status(): Promise<SetupStatus> {
    return { needsSetup: !(await this.users.adminExists()) };
  }

  async createFirstAdmin(token: string, input: Omit<NewUser, 'role'>, client: ClientInfo): Promise<SignedIn> {
    const user = await this.users.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['miyu:setup']);
      if (await this.users.adminExists(manager)) throw SetupError.alreadyDone();
      if (!(await this.setup.tokenValid(sha256(token), manager))) throw SetupError.tokenInvalid();
      const created = await this.usersService.createUnchecked({ ...input, role: 'admin' }, manager);
      await this.setup.clearTokens(manager);
      return created;
    });
    logger.event('info', 'setup', 'first admin created', { userId: user.id });
    this.events.emit(AUDIT_EVENT, { ...createdRecord(toUserDto(user), 'setup'), actor: { userId: user.id } });
    const { token: sessionToken, session } = await this.sessions.create(user, client);
    return {
      token: sessionToken,
      state: { user: toUserDto(user), sessionId: session.id, csrfToken: session.csrfToken },
    };
  }
}
