import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import { type Ack, RECEIPT_EVENT_INTERVAL_MS, type ReceiptCursors, type ReceiptUpdatedEvent } from '@miyu/protocol';
import { SignedIn } from '../auth/auth.decorators.js';
import { Coalescer } from '../../common/timing/coalescer.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { MiyuServer, MiyuSocket } from '../realtime/realtime.gateway.js';
import { rooms } from '../realtime/rooms.js';
import { SocketEventHandler } from '../realtime/socket-event-handler.js';
import { RECEIPTS_MOVED_EVENT, type ReceiptsMovedEvent, ReceiptsService } from './receipts.service.js';

/**
 * `receipt:read` / `receipt:delivered` from devices. Out, coalesced to at most one per key per second (the newest
 * wins, the last is never lost): `receipt:updated` to the reader's devices per conversation, and `receipts:changed`
 * to each sender concerned per conversation — so a 5,000-member group reading one message costs its sender a few
 * events, not 5,000.
 */
@Injectable()
@SignedIn()
@WebSocketGateway()
export class ReceiptsGateway implements OnModuleDestroy {
  @WebSocketServer()
  server: MiyuServer;

  private readonly handler: SocketEventHandler;
  private readonly toReaders = new Coalescer<string, ReceiptUpdatedEvent>(RECEIPT_EVENT_INTERVAL_MS, (_key, event) =>
    this.server.to(rooms.user(event.userId)).emit('receipt:updated', event),
  );
  private readonly toSenders = new Coalescer<string, { userId: string; conversationId: string }>(
    RECEIPT_EVENT_INTERVAL_MS,
    (_key, { userId, conversationId }) =>
      this.server.to(rooms.user(userId)).emit('receipts:changed', { conversationId }),
  );

  constructor(
    private readonly receipts: ReceiptsService,
    metrics: MetricsService,
  ) {
    this.handler = new SocketEventHandler(metrics);
  }

  @SubscribeMessage('receipt:read')
  read(socket: MiyuSocket, payload: unknown): Promise<Ack<ReceiptCursors>> {
    return this.handler.handle('receipt:read', payload, (input) =>
      this.receipts.report({ userId: socket.data.userId }, input.conversationId, input.seq, 'read'),
    );
  }

  @SubscribeMessage('receipt:delivered')
  delivered(socket: MiyuSocket, payload: unknown): Promise<Ack<ReceiptCursors>> {
    return this.handler.handle('receipt:delivered', payload, (input) =>
      this.receipts.report({ userId: socket.data.userId }, input.conversationId, input.seq, 'delivered'),
    );
  }

  @OnEvent(RECEIPTS_MOVED_EVENT)
  onMoved(event: ReceiptsMovedEvent): void {
    for (const own of event.own) this.toReaders.push(`${own.userId}/${own.conversationId}`, own);
    for (const { conversationId, userIds } of event.senders)
      for (const userId of userIds) this.toSenders.push(`${userId}/${conversationId}`, { userId, conversationId });
  }

  onModuleDestroy(): void {
    this.toReaders.flush();
    this.toSenders.flush();
  }
}
