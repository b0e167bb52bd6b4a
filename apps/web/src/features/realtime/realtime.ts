import { io } from 'socket.io-client';
import { SOCKET_PATH, type SessionRevokedEvent } from '@miyu/protocol';
import type { MiyuSocket } from '../../lib/services';

/** Same origin, cookie auth: the session cookie rides along with the handshake. */
export function openSameOriginSocket(): MiyuSocket {
  return io({ path: SOCKET_PATH, withCredentials: true, autoConnect: false });
}

/** Handshake failures that mean the session is gone (anything else is a network problem and is retried). */
const SESSION_GONE = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED']);

export interface RealtimeHandlers {
  /** This browser's session ended on the server. */
  onSessionEnded: (reason: SessionRevokedEvent['reason']) => void;
  /** The server closed the connection without saying why: re-check the session over HTTP. */
  onServerClosed: () => void;
}

/** Wires the session-level events to a socket and connects it; returns the teardown. */
export function attachSessionEvents(socket: MiyuSocket, sessionId: string, handlers: RealtimeHandlers): () => void {
  const onRevoked = (event: SessionRevokedEvent) => {
    if (event.sessionId === sessionId) handlers.onSessionEnded(event.reason);
  };
  const onConnectError = (error: Error) => {
    if (SESSION_GONE.has(error.message)) handlers.onSessionEnded('expired');
  };
  const onDisconnect = (reason: string) => {
    if (reason === 'io server disconnect') handlers.onServerClosed();
  };
  socket.on('session:revoked', onRevoked);
  socket.on('connect_error', onConnectError);
  socket.on('disconnect', onDisconnect);
  socket.connect();
  return () => {
    socket.off('session:revoked', onRevoked);
    socket.off('connect_error', onConnectError);
    socket.off('disconnect', onDisconnect);
    socket.disconnect();
  };
}
