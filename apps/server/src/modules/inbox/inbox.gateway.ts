import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { SubscribeMessage, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Ack, ToDeviceMessage, ToDeviceSendAck } from '@miyu/protocol';
import { SignedIn } from '../auth/auth.decorators.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { MiyuServer, MiyuSocket } from '../realtime/realtime.gateway.js';
import { rooms } from '../realtime/rooms.js';
import { SocketEventHandler } from '../realtime/socket-event-handler.js';
import { InboxService, TO_DEVICE_QUEUED_EVENT, type ToDeviceQueuedEvent, toToDeviceMessage } from './inbox.service.js';

@Injectable()
@SignedIn()
@WebSocketGateway()
export class InboxGateway {
  @WebSocketServer()
  server: MiyuServer;

  private readonly handler: SocketEventHandler;

  constructor(
    private readonly inbox: InboxService,
    metrics: MetricsService,
  ) {
    this.handler = new SocketEventHandler(metrics);
  }

  @SubscribeMessage('todevice:send')
  send(socket: MiyuSocket, payload: unknown): Promise<Ack<ToDeviceSendAck>> {
    return this.handler.handle('todevice:send', payload, (input) => this.inbox.send(socket.data, input));
  }

  @SubscribeMessage('todevice:fetch')
  fetch(socket: MiyuSocket, payload: unknown): Promise<Ack<ToDeviceMessage[]>> {
    return this.handler.handle('todevice:fetch', payload, (input) =>
      this.inbox.fetch(socket.data, input.afterId, input.limit),
    );
  }

  @SubscribeMessage('todevice:ack')
  ack(socket: MiyuSocket, payload: unknown): Promise<Ack<{ deleted: number }>> {
    return this.handler.handle('todevice:ack', payload, (input) => this.inbox.ack(socket.data, input.upToId));
  }

  /** Pushes each queued message to its device's sockets (any process); it stays stored until acked. */
  @OnEvent(TO_DEVICE_QUEUED_EVENT)
  onQueued(event: ToDeviceQueuedEvent): void {
    if (!this.server) return;
    for (const m of event.messages) this.server.to(rooms.device(m.deviceId)).emit('todevice:new', toToDeviceMessage(m));
  }
}
