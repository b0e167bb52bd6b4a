import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { migrationsCurrent } from '../../database/migrate.js';

export interface Readiness {
  status: 'ok' | 'unavailable';
  checks: { database: 'ok' | 'down'; migrations: 'current' | 'pending' | 'unknown' };
}

@Injectable()
export class HealthService {
  private draining = false;

  constructor(private readonly dataSource: DataSource) {}

  /** Called on SIGTERM: report not-ready so load balancers stop sending new work while we drain. */
  markDraining(): void {
    this.draining = true;
  }

  async readiness(): Promise<Readiness> {
    let database: Readiness['checks']['database'] = 'down';
    let migrations: Readiness['checks']['migrations'] = 'unknown';
    try {
      await this.dataSource.query('SELECT 1');
      database = 'ok';
      migrations = (await migrationsCurrent(this.dataSource)) ? 'current' : 'pending';
    } catch {
      /* reported below */
    }
    const ok = !this.draining && database === 'ok' && migrations === 'current';
    return { status: ok ? 'ok' : 'unavailable', checks: { database, migrations } };
  }
}
