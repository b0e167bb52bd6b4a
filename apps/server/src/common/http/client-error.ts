import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ApiErrorBody, ErrorCode } from '@miyu/protocol';

/**
 * Requests Node's HTTP parser refuses before any middleware runs (a request line or headers over 16 KiB, bytes that
 * are not HTTP, a request that never finished arriving) get our error shape too, not Node's empty default answer.
 */
export function jsonClientErrors(server: Server): void {
  server.on(
    'clientError',
    (
      err: NodeJS.ErrnoException & { rawPacket?: Buffer },
      socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null },
    ) => {
      // As Node's own default: nothing to answer on a connection that is gone, or whose in-flight response has
      // started (a keep-alive connection may have carried earlier responses: that is fine).
      if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
        socket.destroy();
        return;
      }
      const [status, reason, code, message] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? [
              431,
              'Request Header Fields Too Large',
              ErrorCode.PAYLOAD_TOO_LARGE,
              'The request line or headers are too large.',
            ]
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', ErrorCode.MALFORMED_REQUEST, 'The request did not arrive in time.']
            : [400, 'Bad Request', ErrorCode.MALFORMED_REQUEST, 'The request is not valid HTTP.'];
      const body: ApiErrorBody = { error: { code, message } };
      // A response to HEAD carries no body (the client would read one as a broken next response).
      const json = err.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ' ? '' : JSON.stringify(body);
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
      );
      socket.destroy();
    },
  );
}
