import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import { SOCKET_MAX_PAYLOAD_BYTES, SOCKET_PATH } from '@miyu/protocol';
import { createClient } from 'redis';
import type { Observable } from 'rxjs';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { logger } from '../../common/logging/json-logger.js';
import { watchRedisLink } from './redis-link.js';
import { rateLimitedAck, type SocketEventLimit, SocketEventLimiter } from './socket-rate-limit.js';

export interface SocketEventLimitOptions extends SocketEventLimit {
  /** Called for every event refused by the limit (metrics). */
  onLimited?: (event: string) => void;
}

/**
 * socket.io server factory. With REDIS_URL set, the Redis adapter joins every server process, so an emit to a
 * room (or `disconnectSockets`) reaches sockets on all of them; without it, the in-memory adapter serves one.
 */
export class MiyuSocketAdapter extends IoAdapter {
  private clients: Array<{ quit(): Promise<unknown> }> = [];
  private adapterFactory: ReturnType<typeof createAdapter> | null = null;
  private server: Server | null = null;
  /** Per-socket token buckets over every inbound event of every gateway; null: no limit. */
  readonly eventLimiter: SocketEventLimiter | null;
  private readonly onLimited: ((event: string) => void) | undefined;

  constructor(
    app: INestApplicationContext,
    private readonly redisUrl: string | null,
    eventLimit: SocketEventLimitOptions | null = null,
  ) {
    super(app);
    this.eventLimiter = eventLimit ? new SocketEventLimiter(eventLimit) : null;
    this.onLimited = eventLimit?.onLimited;
  }

  async connect(): Promise<void> {
    if (!this.redisUrl) return;
    const pub = createClient({ url: this.redisUrl });
    const sub = pub.duplicate();
    // While its subscription was down this process missed what the others published: its sockets catch up.
    watchRedisLink(pub, 'publisher');
    watchRedisLink(sub, 'subscriber', () => this.server?.local.emit('sync:resume', {}));
    await Promise.all([pub.connect(), sub.connect()]);
    this.clients = [pub, sub];
    this.adapterFactory = createAdapter(pub, sub, { key: 'miyu' });
    logger.event('info', 'realtime', 'socket.io Redis adapter connected');
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    // Same-origin only (no CORS): the browser client is served by us, or by nginx in front of us.
    const settings: Partial<ServerOptions> = {
      ...options,
      path: SOCKET_PATH,
      serveClient: false,
      maxHttpBufferSize: SOCKET_MAX_PAYLOAD_BYTES,
      pingInterval: 25_000,
      pingTimeout: 20_000,
    };
    const server = super.createIOServer(port, settings as ServerOptions) as Server;
    if (this.adapterFactory) server.adapter(this.adapterFactory);
    this.server = server;
    return server;
  }

  /**
   * One plain listener per event per socket. Nest's own binding builds an RxJS pipeline (fromEvent, mergeMap,
   * takeUntil, a subscription) per event per socket: with every gateway's events that was most of a socket's
   * server memory (about 55 of 70 KiB per idle connection, bench/scale.ts). The behaviour is Nest's: the
   * handler's result (value, promise or observable) answers through the ack, `{ event, data }` results are
   * emitted, nothing is sent for null, and a handler that throws is logged without silencing the event.
   * Every event first takes a token from the socket's bucket (SOCKET_EVENTS_PER_SECOND, SOCKET_EVENT_BURST): without
   * one it is answered `RATE_LIMITED` with `retryAfterMs` and its handler does not run. Nest calls this once per
   * gateway for each socket; they share the socket's one bucket, which is dropped when the socket disconnects.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const limiter = this.eventLimiter;
    if (limiter && !limiter.isOpen(socket.id) && socket.connected) {
      limiter.open(socket.id);
      socket.once('disconnect', () => limiter.forget(socket.id));
    }
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message as string, (...args: unknown[]) => {
        const { data, ack } = this.mapPayload(args.length === 1 ? args[0] : args) as {
          data: unknown;
          ack?: (response: unknown) => void;
        };
        const waitMs = limiter?.take(socket.id) ?? 0;
        if (waitMs > 0) {
          this.onLimited?.(message as string);
          if (typeof ack === 'function') ack(rateLimitedAck(waitMs));
          return;
        }
        const answer = (response: unknown) => {
          if (response === null || response === undefined) return;
          const r = response as { event?: string; data?: unknown };
          if (r.event) socket.emit(r.event, r.data);
          else if (!isAckHandledManually && typeof ack === 'function') ack(response);
        };
        const failed = (err: unknown) =>
          logger.event('error', 'realtime', 'socket handler failed', { event: message, err });
        try {
          transform(callback(data, ack)).subscribe({ next: answer, error: failed });
        } catch (err) {
          failed(err);
        }
      });
    }
  }

  async closeRedis(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.quit().catch(() => undefined)));
    this.clients = [];
  }
}
