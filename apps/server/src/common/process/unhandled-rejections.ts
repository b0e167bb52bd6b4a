import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from 'redis';
import { logger } from '../logging/json-logger.js';

const REDIS_CONNECTION_ERRORS = [
  SocketClosedUnexpectedlyError,
  ConnectionTimeoutError,
  SocketTimeoutError,
  ClientClosedError,
  ClientOfflineError,
  DisconnectsClientError,
];
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * A lost connection to Redis rejects the commands in flight on it. The socket.io Redis adapter publishes without
 * awaiting (fire and forget), so such a rejection has no handler: it must not take the process down, because the
 * client reconnects by itself and the sockets catch up (`sync:resume`).
 */
export function isLostConnection(reason: unknown): boolean {
  if (REDIS_CONNECTION_ERRORS.some((type) => reason instanceof type)) return true;
  const code = (reason as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/**
 * What the process does with a rejection nobody handled: a lost connection is logged and the process goes on;
 * anything else is a bug whose state cannot be trusted, so it is logged and the process exits (as Node's default
 * would, but with a JSON log line) for the supervisor to restart it.
 */
export function onUnhandledRejection(reason: unknown, exit: (code: number) => void = process.exit): void {
  if (isLostConnection(reason)) {
    logger.event('warn', 'app', 'a command was lost with its connection', { err: (reason as Error).message });
    return;
  }
  logger.event('error', 'app', 'unhandled promise rejection; exiting', { err: reason });
  exit(1);
}
