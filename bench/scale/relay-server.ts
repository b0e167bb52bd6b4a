// The raw socket.io relay: the stack's ceiling, with nothing Miyu does between receiving and pushing a message
// (no authentication, no validation, no persistence, no receipts). Run as a process of its own by relay.ts:
//   node bench/dist/scale/relay-server.js <port>
// A client names itself in the handshake (`auth.peer`); `join` puts it in a room; `send` pushes the payload to the
// room's other members and acknowledges.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: relay-server.js <port>');
  process.exit(2);
}

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', (room: unknown, ack: unknown) => {
    if (typeof room === 'string') void socket.join(room);
    if (typeof ack === 'function') ack(true);
  });
  socket.on('send', (m: { room?: unknown }, ack: unknown) => {
    if (typeof m?.room === 'string') socket.to(m.room).emit('msg', m);
    if (typeof ack === 'function') ack(true);
  });
});

http.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => {
  void io.close();
  process.exit(0);
});
