// The ceiling: a one-file SCGI responder that parses only what it must (the netstring length and
// CONTENT_LENGTH), skips the body, answers a fixed response and closes. No IncomingMessage, no framework.
import { createServer } from 'node:net';

const RESPONSE = Buffer.from(
  'Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\nHello, world!\n',
);

export function createTrivialResponder() {
  return createServer((socket) => {
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      const colon = received.indexOf(58);
      if (colon === -1) return;
      const headerEnd = colon + 1 + Number(received.toString('latin1', 0, colon));
      // CONTENT_LENGTH is the first variable: "CONTENT_LENGTH\0<digits>\0".
      const valueStart = colon + 1 + 15;
      const contentLength = Number(received.toString('latin1', valueStart, received.indexOf(0, valueStart)));
      if (received.length < headerEnd + 1 + contentLength) return;
      socket.end(RESPONSE);
    });
    socket.on('error', () => {});
  });
}
