import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { logger } from '../../common/logging/json-logger.js';
import { LdapConfigService } from './ldap-config.service.js';
import { LdapSyncService } from './ldap-sync.service.js';

const TICK_MS = 60_000;

/**
 * Scheduled LDAP sync: every minute each replica checks whether the configured interval has passed since the last
 * sync and, if so, tries to sync; the advisory lock in LdapSyncService lets one replica at a time do it. The sync
 * acts as the admin who last saved the configuration, and is skipped while that admin is disabled or no longer one.
 */
@Injectable()
export class LdapScheduler implements OnModuleInit, OnModuleDestroy {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running = false;

  constructor(
    private readonly db: DataSource,
    private readonly config: LdapConfigService,
    private readonly sync: LdapSyncService,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref?.();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One check; returns whether a sync ran on this replica. */
  async tick(now = new Date()): Promise<boolean> {
    if (this.running) return false;
    this.running = true;
    try {
      const cfg = await this.config.load();
      if (!cfg?.enabled || cfg.intervalMinutes <= 0 || !cfg.updatedBy) return false;
      if (cfg.lastSyncAt && now.getTime() - cfg.lastSyncAt.getTime() < cfg.intervalMinutes * 60_000) return false;
      const [admin] = (await this.db.query(
        `SELECT id FROM users WHERE id = $1 AND role = 'admin' AND status = 'active'`,
        [cfg.updatedBy],
      )) as Array<{ id: string }>;
      if (!admin) {
        logger.event(
          'warn',
          'ldap',
          'scheduled sync skipped: the admin who configured it is no longer an active admin',
        );
        return false;
      }
      const result = await this.sync.syncScheduled(
        { userId: admin.id, role: 'admin', sessionId: 'ldap-scheduler' },
        cfg,
      );
      return result !== null;
    } catch (error) {
      logger.event('error', 'ldap', 'scheduled sync failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    } finally {
      this.running = false;
    }
  }
}
