import { Injectable } from '@nestjs/common';
import { type OnGatewayDisconnect, SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Ack, PresenceSnapshot, UserRole } from '@miyu/protocol';
import { SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { MiyuServer, MiyuSocket } from '../realtime/realtime.gateway.js';
import { rooms } from '../realtime/rooms.js';
import { SocketEventHandler } from '../realtime/socket-event-handler.js';
import { PresenceService } from './presence.service.js';

/**
 * Typing indicators and presence over socket.io (docs/attachments.md § Typing and presence). Presence is read from
 * the live sockets themselves (`fetchSockets`, answered by every process through the adapter): nothing is stored.
 */
@Injectable()
@SignedIn()
@WebSocketGateway()
export class PresenceGateway implements OnGatewayDisconnect {
  @WebSocketServer()
  server: MiyuServer;

  private readonly handler: SocketEventHandler;

  constructor(
    private readonly presence: PresenceService,
    metrics: MetricsService,
  ) {
    this.handler = new SocketEventHandler(metrics);
  }

  @SubscribeMessage('typing:update')
  typing(socket: MiyuSocket, payload: unknown): Promise<Ack<Record<string, never>>> {
    return this.handler.handle('typing:update', payload, async (input) => {
      const { event, recipientUserIds } = await this.presence.typing(actorOf(socket), socket.id, input);
      if (recipientUserIds.length > 0) this.server.to(recipientUserIds.map(rooms.user)).emit('typing:changed', event);
      return {};
    });
  }

  @SubscribeMessage('presence:query')
  query(_socket: MiyuSocket, payload: unknown): Promise<Ack<PresenceSnapshot>> {
    return this.handler.handle('presence:query', payload, async (input) => {
      const asked = [...new Set(input.userIds)];
      // One adapter round trip for all of them: the sockets in any of these users' rooms, on any process.
      const sockets = await this.server.in(asked.map(rooms.user)).fetchSockets();
      const connected = new Set(sockets.map((s) => s.data.userId));
      return { online: asked.filter((id) => connected.has(id)) };
    });
  }

  handleDisconnect(socket: MiyuSocket): void {
    this.presence.socketGone(socket.id);
  }
}

function actorOf(socket: MiyuSocket): Actor {
  return { userId: socket.data.userId, role: socket.data.role as UserRole, sessionId: socket.data.sessionId };
}
