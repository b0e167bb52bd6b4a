import { Injectable } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Ack, ReceiptCursors } from '@miyu/protocol';
import { MetricsService } from '../metrics/metrics.service.js';
import type { MiyuServer, MiyuSocket } from '../realtime/realtime.gateway.js';
import { rooms } from '../realtime/rooms.js';
import { SocketEventHandler } from '../realtime/socket-event-handler.js';
import { type ReceiptFanOut, ReceiptsService } from './receipts.service.js';

/** `receipt:read` / `receipt:delivered` from devices; `receipt:updated` to the reader's devices and the senders. */
@Injectable()
@WebSocketGateway()
export class ReceiptsGateway {
  @WebSocketServer()
  server: MiyuServer;

  private readonly handler: SocketEventHandler;

  constructor(
    private readonly receipts: ReceiptsService,
    metrics: MetricsService,
  ) {
    this.handler = new SocketEventHandler(metrics);
  }

  @SubscribeMessage('receipt:read')
  read(socket: MiyuSocket, payload: unknown): Promise<Ack<ReceiptCursors>> {
    return this.handler.handle('receipt:read', payload, async (input) =>
      this.fanOut(await this.receipts.report({ userId: socket.data.userId }, input.conversationId, input.seq, 'read')),
    );
  }

  @SubscribeMessage('receipt:delivered')
  delivered(socket: MiyuSocket, payload: unknown): Promise<Ack<ReceiptCursors>> {
    return this.handler.handle('receipt:delivered', payload, async (input) =>
      this.fanOut(
        await this.receipts.report({ userId: socket.data.userId }, input.conversationId, input.seq, 'delivered'),
      ),
    );
  }

  private fanOut(result: ReceiptFanOut): ReceiptCursors {
    if (result.event) {
      // The reader's other devices clear their badges; senders update their ticks and rings.
      const targets = [result.ownUserId, ...result.senderUserIds].map(rooms.user);
      this.server.to(targets).emit('receipt:updated', result.event);
    }
    return result.cursors;
  }
}
