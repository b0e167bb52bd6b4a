import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { logger } from '../../common/logging/json-logger.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AuthError } from './auth.errors.js';
import { ThrottleRepository } from './throttle.repository.js';

const IP_WINDOW_SECONDS = 60;

/** Login rate limit per client IP and lockout per login name (known or not), from LOGIN_* settings. */
@Injectable()
export class LoginThrottleService implements OnModuleInit, OnModuleDestroy {
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly throttle: ThrottleRepository,
  ) {}

  /** Forgets throttle rows idle for a day, hourly, so the table does not grow with every address ever seen. */
  onModuleInit(): void {
    this.pruneTimer = setInterval(() => {
      this.throttle.prune().catch((err: unknown) => logger.event('warn', 'auth', 'throttle prune failed', { err }));
    }, 3_600_000).unref();
  }

  onModuleDestroy(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
  }

  /** Throws RATE_LIMITED / AUTH_ACCOUNT_LOCKED before any password work is done. */
  async beforeAttempt(login: string, ip: string | null): Promise<void> {
    if (ip) {
      const { attempts, windowStart } = await this.throttle.hit(`ip:${ip}`, IP_WINDOW_SECONDS);
      if (attempts > this.config.login.ipLimitPerMinute) {
        const retry = Math.max(1, Math.ceil((windowStart.getTime() + IP_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
        throw AuthError.rateLimited(retry);
      }
    }
    const row = await this.throttle.get(loginKey(login));
    if (row?.lockedUntil && row.lockedUntil.getTime() > Date.now()) {
      throw AuthError.locked(Math.ceil((row.lockedUntil.getTime() - Date.now()) / 1000));
    }
  }

  /** Returns the lockout end if this failure locked the account. */
  async failed(login: string): Promise<Date | null> {
    const { lockedUntil } = await this.throttle.fail(
      loginKey(login),
      this.config.login.maxFailures,
      this.config.login.lockoutMinutes * 60,
    );
    return lockedUntil;
  }

  async succeeded(login: string): Promise<void> {
    await this.throttle.reset(loginKey(login));
  }
}

function loginKey(login: string): string {
  return `login:${login.trim().toLowerCase()}`;
}
