import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));

function postgresUrl() {
  return optionalString.refine((v) => v === null || /^postgres(ql)?:\/\/.+/.test(v), {
    message: 'expected a postgres:// or postgresql:// URL',
  });
}

/** The whole server configuration, read from the environment once at boot. Documented in docs/configuration.md. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['production', 'development', 'test']).default('production'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).default('http://localhost:8080'),
  DATABASE_URL: postgresUrl(),
  DATA_DIR: z.string().min(1).default('./data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: optionalString.refine((v) => v === null || /^rediss?:\/\/.+/.test(v), {
    message: 'expected a redis:// or rediss:// URL',
  }),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  WEB_DIST_DIR: z.string().default('apps/web/dist'),
  TRUST_PROXY: z
    .string()
    .default('false')
    .refine((v) => /^(true|false|\d{1,2})$/.test(v), { message: 'expected true, false or a hop count' })
    .transform((v): boolean | number => (v === 'true' ? true : v === 'false' ? false : Number(v))),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(336),
  SESSION_IDLE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(72),
  SETUP_TOKEN: optionalString.refine((v) => v === null || v.length >= 16, {
    message: 'must be at least 16 characters',
  }),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_LOCKOUT_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  LOGIN_IP_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(10).max(1_000_000).default(1200),
  SOCKET_EVENTS_PER_SECOND: z.coerce.number().int().min(1).max(1_000_000).default(100),
  SOCKET_EVENT_BURST: z.coerce.number().int().min(1).max(1_000_000).default(300),
  PASSWORD_HASH_MEMORY_MIB: z.coerce.number().int().min(19).max(1024).default(64),
  PASSWORD_HASH_ITERATIONS: z.coerce.number().int().min(1).max(10).default(2),
  METRICS_TOKEN: optionalString,
  MIGRATE_ON_START: bool.default(true),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(Number.MAX_SAFE_INTEGER).default(104_857_600),
  FILES_DIR: optionalString,
});

export type Env = z.infer<typeof envSchema>;
