import { EventEmitter } from 'node:events';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { from, type Observable } from 'rxjs';
import type { Socket } from 'socket.io';
import { logger } from '../../common/logging/json-logger.js';
import { MiyuSocketAdapter } from './socket-adapter.js';

/** A socket as far as the binding uses it: inbound events are emitted on it, outbound ones are recorded. */
let sockets = 0;
function fakeSocket() {
  const inbound = new EventEmitter();
  const sent: unknown[][] = [];
  const socket = {
    id: `socket-${++sockets}`,
    connected: true,
    on: inbound.on.bind(inbound),
    once: inbound.once.bind(inbound),
    emit: (...args: unknown[]) => sent.push(args),
  };
  return { socket: socket as unknown as Socket, inbound, sent };
}

const handler = (
  message: string,
  callback: MessageMappingProperties['callback'],
  isAckHandledManually = false,
): MessageMappingProperties => ({ message, methodName: message, callback, isAckHandledManually });
/** Nest's transform: the handler's result (value or promise) as an observable. */
const transform = (result: unknown): Observable<unknown> => from(Promise.resolve(result));
const settle = () => new Promise((r) => setImmediate(r));

describe('MiyuSocketAdapter.bindMessageHandlers', () => {
  const adapter = new MiyuSocketAdapter(undefined as never, null);

  it("answers through the ack with the handler's result, given the payload", async () => {
    const { socket, inbound } = fakeSocket();
    adapter.bindMessageHandlers(socket, [handler('echo', async (data) => ({ ok: true, data }))], transform);
    const ack = jest.fn();
    inbound.emit('echo', { n: 1 }, ack);
    await settle();
    expect(ack).toHaveBeenCalledWith({ ok: true, data: { n: 1 } });
  });

  it('emits `{ event, data }` results, sends nothing for null, leaves manual acks to the handler', async () => {
    const { socket, inbound, sent } = fakeSocket();
    adapter.bindMessageHandlers(
      socket,
      [
        handler('event', () => Promise.resolve({ event: 'pong', data: 7 })),
        handler('nothing', () => Promise.resolve(null)),
        handler('manual', () => Promise.resolve({ ok: true }), true),
      ],
      transform,
    );
    const acks = [jest.fn(), jest.fn(), jest.fn()];
    inbound.emit('event', {}, acks[0]);
    inbound.emit('nothing', {}, acks[1]);
    inbound.emit('manual', {}, acks[2]);
    await settle();
    expect(sent).toEqual([['pong', 7]]);
    acks.forEach((ack) => expect(ack).not.toHaveBeenCalled());
  });

  it('logs a handler that throws and keeps serving the event', async () => {
    const logged = jest.spyOn(logger, 'event').mockImplementation(() => undefined);
    const { socket, inbound } = fakeSocket();
    let calls = 0;
    adapter.bindMessageHandlers(
      socket,
      [
        handler('flaky', () => {
          calls += 1;
          if (calls === 1) throw new Error('boom');
          return Promise.resolve({ ok: true });
        }),
      ],
      transform,
    );
    const ack = jest.fn();
    inbound.emit('flaky', {}, ack);
    inbound.emit('flaky', {}, ack);
    await settle();
    expect(logged).toHaveBeenCalledWith(
      'error',
      'realtime',
      'socket handler failed',
      expect.objectContaining({ event: 'flaky' }),
    );
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ack).toHaveBeenCalledWith({ ok: true });
    logged.mockRestore();
  });

  it('passes a payload without an ack, and an ack without a payload', async () => {
    const { socket, inbound } = fakeSocket();
    const seen: unknown[] = [];
    adapter.bindMessageHandlers(
      socket,
      [handler('fire', async (data, ack) => (seen.push([data, typeof ack]), { ok: true }))],
      transform,
    );
    inbound.emit('fire', { a: 1 });
    const ack = jest.fn();
    inbound.emit('fire', ack);
    await settle();
    expect(seen).toEqual([
      [{ a: 1 }, 'undefined'],
      [undefined, 'function'],
    ]);
    expect(ack).toHaveBeenCalledWith({ ok: true });
  });
});

describe('MiyuSocketAdapter: the per-socket event limit', () => {
  it("answers RATE_LIMITED without running the handler once the socket's burst is spent, across gateways", async () => {
    const limited: string[] = [];
    const adapter = new MiyuSocketAdapter(undefined as never, null, {
      eventsPerSecond: 0.001, // no refill within the test
      burst: 3,
      onLimited: (event) => limited.push(event),
    });
    const { socket, inbound } = fakeSocket();
    let runs = 0;
    const run = async () => ((runs += 1), { ok: true });
    // Two gateways bind their handlers on the same socket: they share its one bucket.
    adapter.bindMessageHandlers(socket, [handler('a', run)], transform);
    adapter.bindMessageHandlers(socket, [handler('b', run, true)], transform);
    const acks = Array.from({ length: 5 }, () => jest.fn());
    acks.forEach((ack, i) => inbound.emit(i % 2 === 0 ? 'a' : 'b', {}, ack));
    await settle();
    expect(runs).toBe(3);
    expect(acks[3]).toHaveBeenCalledWith({
      ok: false,
      error: {
        code: 'RATE_LIMITED',
        message: expect.any(String) as unknown,
        retryAfterMs: expect.any(Number) as unknown,
      },
    });
    expect(acks[4]!.mock.calls[0]![0]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect((acks[4]!.mock.calls[0]![0] as { error: { retryAfterMs: number } }).error.retryAfterMs).toBeGreaterThan(0);
    expect(limited).toEqual(['b', 'a']);
    // Another socket has its own bucket.
    const other = fakeSocket();
    adapter.bindMessageHandlers(other.socket, [handler('a', run)], transform);
    const ack = jest.fn();
    other.inbound.emit('a', {}, ack);
    await settle();
    expect(ack).toHaveBeenCalledWith({ ok: true });
  });

  it('frees the bucket when the socket disconnects, and tracks no socket that is already gone', () => {
    const adapter = new MiyuSocketAdapter(undefined as never, null, { eventsPerSecond: 100, burst: 300 });
    const { socket, inbound } = fakeSocket();
    adapter.bindMessageHandlers(socket, [handler('a', async () => null)], transform);
    adapter.bindMessageHandlers(socket, [handler('b', async () => null)], transform);
    expect(adapter.eventLimiter!.size).toBe(1);
    inbound.emit('disconnect', 'transport close');
    expect(adapter.eventLimiter!.size).toBe(0);
    const gone = fakeSocket();
    (gone.socket as { connected: boolean }).connected = false;
    adapter.bindMessageHandlers(gone.socket, [handler('a', async () => null)], transform);
    expect(adapter.eventLimiter!.size).toBe(0);
  });
});
