import { isAbsolute, join, resolve } from 'node:path';
import { envSchema, type Env } from './env.schema.js';

export interface AppConfig {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  publicUrl: URL;
  database: { url: string | null; poolSize: number; dataDir: string; embeddedPort: number };
  redisUrl: string | null;
  logLevel: Env['LOG_LEVEL'];
  webDistDir: string | null;
  trustProxy: boolean | number;
  session: { ttlHours: number; idleHours: number; secureCookie: boolean };
  setupToken: string | null;
  login: { maxFailures: number; lockoutMinutes: number; ipLimitPerMinute: number };
  apiRateLimitPerMinute: number;
  socketEventLimit: { eventsPerSecond: number; burst: number };
  passwordHash: { memoryMiB: number; iterations: number };
  metricsToken: string | null;
  migrateOnStart: boolean;
  shutdownGraceMs: number;
  attachments: { maxBytes: number; filesDir: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The repository (or image) root: paths in the config are relative to it. */
export function projectRoot(): string {
  return resolve(import.meta.dirname, '..', '..', '..', '..');
}

/** Parses the environment once; throws a ConfigError that names every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const value = source[String(issue.path[0])];
      const shown = value === undefined ? '' : ` (got ${JSON.stringify(redact(String(issue.path[0]), value))})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const env = result.data;
  const root = projectRoot();
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicUrl: new URL(env.PUBLIC_URL),
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DB_POOL_SIZE,
      dataDir: abs(env.DATA_DIR),
      embeddedPort: env.EMBEDDED_PG_PORT,
    },
    redisUrl: env.REDIS_URL,
    logLevel: env.LOG_LEVEL,
    webDistDir: env.WEB_DIST_DIR.trim() === '' ? null : abs(env.WEB_DIST_DIR),
    trustProxy: env.TRUST_PROXY,
    session: {
      ttlHours: env.SESSION_TTL_HOURS,
      idleHours: env.SESSION_IDLE_HOURS,
      secureCookie: new URL(env.PUBLIC_URL).protocol === 'https:',
    },
    setupToken: env.SETUP_TOKEN,
    login: {
      maxFailures: env.LOGIN_MAX_FAILURES,
      lockoutMinutes: env.LOGIN_LOCKOUT_MINUTES,
      ipLimitPerMinute: env.LOGIN_IP_LIMIT_PER_MINUTE,
    },
    apiRateLimitPerMinute: env.API_RATE_LIMIT_PER_MINUTE,
    socketEventLimit: { eventsPerSecond: env.SOCKET_EVENTS_PER_SECOND, burst: env.SOCKET_EVENT_BURST },
    passwordHash: { memoryMiB: env.PASSWORD_HASH_MEMORY_MIB, iterations: env.PASSWORD_HASH_ITERATIONS },
    metricsToken: env.METRICS_TOKEN,
    migrateOnStart: env.MIGRATE_ON_START,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    attachments: { maxBytes: env.ATTACHMENT_MAX_BYTES, filesDir: abs(env.FILES_DIR ?? join(env.DATA_DIR, 'files')) },
  };
}

const SECRET_NAMES = /(TOKEN|PASSWORD|SECRET|URL)$/;

/** Never echo secrets (or URLs that may carry credentials) back into logs. */
function redact(name: string, value: string): string {
  return SECRET_NAMES.test(name) ? '<redacted>' : value.length > 80 ? `${value.slice(0, 80)}…` : value;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
