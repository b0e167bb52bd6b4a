import { logger } from '../../common/logging/json-logger.js';

/** The part of a node-redis client this needs: its connection events. */
export interface RedisLinkEvents {
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Watches one Redis connection of the socket.io adapter. While Redis is unreachable the client retries on its own
 * and raises an error per attempt: the loss is logged once, and its end once. Messages published while the link
 * was down may never have reached this process (pub/sub keeps nothing), so `onRestored` lets the caller tell its
 * sockets to catch up.
 */
export function watchRedisLink(client: RedisLinkEvents, role: string, onRestored?: () => void): void {
  let lost = false;
  client.on('error', (err) => {
    if (lost) return;
    lost = true;
    logger.event('error', 'realtime', 'redis link lost; retrying', { role, err: err.message });
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.event('info', 'realtime', 'redis link restored', { role });
    onRestored?.();
  });
}
