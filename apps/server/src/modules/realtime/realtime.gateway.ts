import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import {
  type Ack,
  clientEventSchemas,
  type ClientToServerEvents,
  ErrorCode,
  SESSION_COOKIE,
  type ServerToClientEvents,
  type SystemPong,
  type DeviceAddedEvent,
  type DeviceRemovedEvent,
} from '@miyu/protocol';
import type { Request } from 'express';
import type { Server, Socket } from 'socket.io';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { forwardedClientIp, originAllowed } from '../../common/http/origin.js';
import { logger } from '../../common/logging/json-logger.js';
import { SignedIn } from '../auth/auth.decorators.js';
import { SESSIONS_REVOKED_EVENT, type SessionsRevokedEvent } from '../auth/auth.types.js';
import { readCookie } from '../auth/session-cookie.js';
import { SessionsService } from '../auth/sessions.service.js';
import { DEVICE_ADDED_EVENT, DEVICE_REMOVED_EVENT, KeysService } from '../keys/keys.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { COMPLIANCE_CHANGED_EVENT } from '../compliance/compliance.events.js';
import { rooms } from './rooms.js';
import { SocketEventHandler } from './socket-event-handler.js';

export interface SocketData {
  userId: string;
  sessionId: string;
  role: string;
  deviceId: string | null;
  /** The client's address (as TRUST_PROXY says to read it) and user agent at the handshake, for audit records. */
  ip: string | null;
  userAgent: string | null;
}

export type MiyuServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type MiyuSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The socket.io entry point: authenticates in the handshake (session cookie), joins `user:<id>` and
 * `session:<id>` rooms, validates every inbound event with its zod schema and answers with typed acks.
 */
@Injectable()
@SignedIn()
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer()
  server: MiyuServer;

  private readonly handler: SocketEventHandler;
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly sessions: SessionsService,
    private readonly keys: KeysService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.handler = new SocketEventHandler(metrics);
  }

  afterInit(server: MiyuServer): void {
    server.use((socket, next) => {
      this.authenticate(socket as MiyuSocket)
        .then(() => next())
        .catch((err: unknown) => {
          const code = err instanceof DomainError ? err.code : ErrorCode.INTERNAL;
          if (!(err instanceof DomainError)) logger.event('error', 'realtime', 'handshake failed', { err });
          const error = new Error(code) as Error & { data?: unknown };
          error.data = { code };
          next(error);
        });
    });
  }

  handleConnection(socket: MiyuSocket): void {
    this.metrics.socketConnections.inc();
    // The name comes off the wire: it may be a number (socket.io allows it) or an inherited key like `toString`.
    // A throw here would escape socket.io and end the process, so nothing below may assume a string.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && Object.hasOwn(clientEventSchemas, event)) return;
      this.metrics.socketEvents.inc({ event: 'unknown', outcome: 'rejected' });
      const ack = args[args.length - 1];
      if (typeof ack === 'function') {
        (ack as (res: Ack<never>) => void)({
          ok: false,
          error: { code: ErrorCode.SOCKET_UNKNOWN_EVENT, message: `Unknown event: ${String(event).slice(0, 64)}` },
        });
      }
    });
  }

  handleDisconnect(socket: MiyuSocket): void {
    this.metrics.socketConnections.dec();
    const timer = this.expiryTimers.get(socket.id);
    if (timer) clearTimeout(timer);
    this.expiryTimers.delete(socket.id);
  }

  @SubscribeMessage('system:ping')
  ping(_socket: MiyuSocket, payload: unknown): Promise<Ack<SystemPong>> {
    return this.handler.handle('system:ping', payload, async (input) => ({
      nonce: input.nonce ?? null,
      serverTs: new Date().toISOString(),
    }));
  }

  /** Ends the sockets of revoked sessions on every server process (through the adapter). */
  @OnEvent(SESSIONS_REVOKED_EVENT)
  onSessionsRevoked(event: SessionsRevokedEvent): void {
    if (!this.server) return;
    for (const sessionId of event.sessionIds) {
      const room = rooms.session(sessionId);
      this.server.to(room).emit('session:revoked', { sessionId, reason: event.reason });
      this.server.in(room).disconnectSockets(true);
    }
  }

  @OnEvent(DEVICE_ADDED_EVENT)
  onDeviceAdded(event: DeviceAddedEvent): void {
    this.server?.to(rooms.user(event.userId)).emit('device:added', event);
  }

  /** Tells the user's sockets, then ends the sockets that spoke for the removed device (on every process). */
  @OnEvent(DEVICE_REMOVED_EVENT)
  onDeviceRemoved(event: DeviceRemovedEvent): void {
    if (!this.server) return;
    this.server.to(rooms.user(event.userId)).emit('device:removed', event);
    this.server.in(rooms.device(event.deviceId)).disconnectSockets(true);
  }

  /** Keys, scopes or the organisation name changed: every client fetches its retention state again. */
  @OnEvent(COMPLIANCE_CHANGED_EVENT)
  onComplianceChanged(): void {
    this.server?.emit('compliance:changed', {});
  }

  private async authenticate(socket: MiyuSocket): Promise<void> {
    const req = socket.request as Request;
    if (!originAllowed(req, this.config)) throw new DomainError(ErrorCode.FORBIDDEN, 'Cross-origin socket refused.');
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    const { user, session } = await this.sessions.authenticate(token);
    const requested = (socket.handshake.auth as { deviceId?: unknown } | undefined)?.deviceId;
    let deviceId: string | null = null;
    if (requested !== undefined) {
      if (typeof requested !== 'string') throw new DomainError(ErrorCode.DEVICE_NOT_FOUND, 'Unknown device.');
      await this.keys.assertActiveDevice(user.id, requested);
      deviceId = requested;
    }
    const userAgent = req.headers['user-agent'];
    socket.data = {
      userId: user.id,
      sessionId: session.id,
      role: user.role,
      deviceId,
      ip: forwardedClientIp(req, this.config.trustProxy),
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 300) : null,
    };
    const joined = [rooms.user(user.id), rooms.session(session.id)];
    if (deviceId) joined.push(rooms.device(deviceId));
    await socket.join(joined);
    const msUntilExpiry = Math.min(session.expiresAt.getTime() - Date.now(), MAX_TIMER_MS);
    this.expiryTimers.set(socket.id, setTimeout(() => socket.disconnect(true), Math.max(0, msUntilExpiry)).unref());
  }
}
