import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Ack, MessageSendAck, SyncChanges, SyncPage } from '@miyu/protocol';
import { SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { MiyuServer, MiyuSocket } from '../realtime/realtime.gateway.js';
import { rooms } from '../realtime/rooms.js';
import { SocketEventHandler } from '../realtime/socket-event-handler.js';
import { TIMELINE_APPENDED_EVENT, type TimelineAppendedEvent } from './messaging.events.js';
import { MessagesService } from './messages.service.js';
import { toTimelineMessage } from './timeline.mapper.js';

/** Socket events of messaging: validate, call the service, ack. Fan-out to members' rooms after commit. */
@Injectable()
@SignedIn()
@WebSocketGateway()
export class MessagingGateway {
  @WebSocketServer()
  server: MiyuServer;

  private readonly handler: SocketEventHandler;

  constructor(
    private readonly messages: MessagesService,
    metrics: MetricsService,
  ) {
    this.handler = new SocketEventHandler(metrics);
  }

  @SubscribeMessage('message:send')
  send(socket: MiyuSocket, payload: unknown): Promise<Ack<MessageSendAck>> {
    return this.handler.handle('message:send', payload, (input) =>
      this.messages.send(
        {
          userId: socket.data.userId,
          deviceId: socket.data.deviceId,
          ip: socket.data.ip,
          userAgent: socket.data.userAgent,
          socketId: socket.id,
        },
        input,
      ),
    );
  }

  @SubscribeMessage('message:recall')
  recall(socket: MiyuSocket, payload: unknown): Promise<Ack<{ seq: number }>> {
    return this.handler.handle('message:recall', payload, (input) =>
      this.messages.recall(
        {
          userId: socket.data.userId,
          role: socket.data.role as Actor['role'],
          deviceId: socket.data.deviceId,
          ip: socket.data.ip,
          userAgent: socket.data.userAgent,
        },
        input.conversationId,
        input.seq,
      ),
    );
  }

  @SubscribeMessage('sync:since')
  since(socket: MiyuSocket, payload: unknown): Promise<Ack<SyncPage>> {
    return this.handler.handle('sync:since', payload, (input) =>
      this.messages.since({ userId: socket.data.userId }, input.conversationId, input.afterSeq, input.limit),
    );
  }

  @SubscribeMessage('sync:changes')
  changes(socket: MiyuSocket, payload: unknown): Promise<Ack<SyncChanges>> {
    return this.handler.handle('sync:changes', payload ?? {}, () =>
      this.messages.changes({ userId: socket.data.userId }),
    );
  }

  @OnEvent(TIMELINE_APPENDED_EVENT)
  onAppended(event: TimelineAppendedEvent): void {
    if (!this.server || event.recipientUserIds.length === 0) return;
    const targets = event.recipientUserIds.map(rooms.user);
    event.messages.forEach((message, i) => {
      const origin = event.originSocketIds?.[i];
      const to = this.server.to(targets);
      (origin ? to.except(origin) : to).emit('message:new', toTimelineMessage(message));
    });
  }
}
