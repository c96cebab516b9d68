// The reply to a request that never reached the app: CGI-style, or HTTP when a browser hit the SCGI port.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ScgiError } from '../protocol/errors.js';

// A request line such as `GET / HTTP/1.1`: someone pointed an HTTP client at the SCGI port.
const HTTP_REQUEST_LINE = /^[A-Z]{3,10} \S+ HTTP\/\d/;
/** How much of the first bytes is looked at for a request line. */
export const SNIFFED_BYTES = 64;

/** Answer `error.status` with a short text body, then end our side (the peer's rest is drained). */
export function replyError(socket: Socket, error: ScgiError, firstChunk: Buffer | undefined): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const speaksHttp =
    firstChunk !== undefined && HTTP_REQUEST_LINE.test(firstChunk.toString('latin1', 0, SNIFFED_BYTES));
  const status = speaksHttp ? 400 : error.status;
  const body = speaksHttp
    ? 'This port speaks SCGI, not HTTP. Put a web server (nginx scgi_pass, Apache mod_proxy_scgi, lighttpd mod_scgi) or the scgi-node gateway in front of it.\n'
    : `${error.message} (${error.code})\n`;
  const firstLine = speaksHttp ? `HTTP/1.1 ${status}` : `Status: ${status}`;
  socket.end(
    `${firstLine} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      (speaksHttp ? 'Connection: close\r\n' : '') +
      `\r\n${body}`,
  );
  socket.resume();
}
