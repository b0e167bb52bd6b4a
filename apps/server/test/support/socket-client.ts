import type { ClientToServerEvents, ServerToClientEvents } from '@miyu/protocol';
import { io, type Socket } from 'socket.io-client';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Connects like a browser on our origin would: websocket transport, the session cookie, an Origin header, and the
 * registered device it speaks for (`auth.deviceId`) when given.
 */
export function connectSocket(
  baseUrl: string,
  cookie: string | null,
  origin: string = baseUrl,
  deviceId?: string,
): ClientSocket {
  const headers: Record<string, string> = { origin };
  if (cookie) headers.cookie = cookie;
  return io(baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: headers,
    ...(deviceId ? { auth: { deviceId } } : {}),
    reconnection: false,
    forceNew: true,
  });
}

export function connected(socket: ClientSocket, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not connect')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export function connectError(socket: ClientSocket, timeoutMs = 5000): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('expected connect_error')), timeoutMs);
    socket.once('connect', () => reject(new Error('unexpectedly connected')));
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
  });
}

export function nextDisconnect(socket: ClientSocket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket was not disconnected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}
