import type { LoggerService } from '@nestjs/common';
import { currentRequestContext } from './request-context.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values never reach a log line, wherever they appear in the fields object. */
const SECRET_KEY = /pass(word)?|secret|token|cookie|authorization|csrf|totp|recovery|code$/i;

export type LogFields = Record<string, unknown>;

/** Nest's per-module and per-route start-up lines: useful when debugging, noise otherwise. */
const NEST_BOOT_CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'WebSocketsController',
  'NestFactory',
  'NestApplication',
]);

/**
 * One JSON object per line on stdout: `time`, `level`, `msg`, `context`, the current `requestId` and fields.
 * Implements Nest's LoggerService so framework messages come out in the same shape.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  info(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }

  /** Structured entry point for our own code: `logger.event('info', 'http', 'request', {...})`. */
  event(level: LogLevel, context: string, msg: string, fields: LogFields = {}): void {
    if (RANK[level] < RANK[this.level]) return;
    const ctx = currentRequestContext();
    const entry: LogFields = { time: new Date().toISOString(), level, context, msg };
    if (ctx?.requestId) entry.requestId = ctx.requestId;
    if (ctx?.userId) entry.userId = ctx.userId;
    Object.assign(entry, redactFields(fields));
    this.write(safeStringify(entry));
  }

  private emit(requested: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest calls (message, context) or (message, stack, context).
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : 'app';
    const level = requested === 'info' && NEST_BOOT_CHATTER.has(context) ? 'debug' : requested;
    const fields: LogFields = {};
    if (level === 'error' && typeof rest[0] === 'string' && rest.length > 1) fields.stack = rest[0];
    if (message instanceof Error) {
      fields.err = { name: message.name, message: message.message, stack: message.stack };
      this.event(level, context, message.message, fields);
      return;
    }
    if (typeof message === 'object' && message !== null) {
      this.event(level, context, 'event', { ...fields, ...(message as LogFields) });
      return;
    }
    this.event(level, context, String(message), fields);
  }
}

export function redactFields(fields: LogFields, depth = 0): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (SECRET_KEY.test(key)) out[key] = '[redacted]';
    else if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Error) && depth < 4)
      out[key] = redactFields(value as LogFields, depth + 1);
    else out[key] = value;
  }
  return out;
}

function safeStringify(entry: LogFields): string {
  try {
    return JSON.stringify(entry, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value,
    );
  } catch {
    return JSON.stringify({ time: entry.time, level: entry.level, msg: String(entry.msg), unserializable: true });
  }
}

/** The process-wide logger; configured once at boot from LOG_LEVEL. */
export const logger = new JsonLogger(
  (['debug', 'info', 'warn', 'error'] as const).find((l) => l === process.env.LOG_LEVEL) ?? 'info',
);
