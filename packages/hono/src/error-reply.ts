// Error replies and reports of the fetch path, in core's format. Temporary: core has both but does not
// export them yet (replyError in server/error-reply.ts, reportError in server/server-events.ts).
import { STATUS_CODES } from 'node:http';
import type { Server, Socket } from 'node:net';
import { SCGI_ERROR_EVENT, type ScgiError } from '@scgi-node/core';

// A request line such as `GET / HTTP/1.1`: someone pointed an HTTP client at the SCGI port.
const HTTP_REQUEST_LINE = /^[A-Z]{3,10} \S+ HTTP\/\d/;

/** Answer a request that never reached the handler with `error.status` and a short text body. */
export function replyError(socket: Socket, error: ScgiError, firstChunk: Buffer | undefined): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const speaksHttp = firstChunk !== undefined && HTTP_REQUEST_LINE.test(firstChunk.toString('latin1', 0, 64));
  const status = speaksHttp ? 400 : error.status;
  const body = speaksHttp
    ? 'This port speaks SCGI, not HTTP. Put a web server (nginx scgi_pass, Apache mod_proxy_scgi, lighttpd mod_scgi) or the scgi-node gateway in front of it.\n'
    : `${error.message} (${error.code})\n`;
  socket.end(
    `${speaksHttp ? 'HTTP/1.1' : 'Status:'} ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      (speaksHttp ? 'Connection: close\r\n' : '') +
      `\r\n${body}`,
  );
  socket.resume();
}

/** The head and body of the 500 sent when the handler fails before anything was written. */
export const INTERNAL_ERROR_HEAD: readonly string[] = ['Content-Type', 'text/plain; charset=utf-8'];
export const INTERNAL_ERROR_BODY = 'Internal Server Error\n';

/** Emit `scgiError` on the server; with no listener, a handler failure still reaches stderr. */
export function reportError(server: Server, error: ScgiError, socket: Socket): void {
  if (server.listenerCount(SCGI_ERROR_EVENT) > 0) server.emit(SCGI_ERROR_EVENT, error, socket);
  else if (error.code === 'ERR_SCGI_HANDLER_FAILED') console.error(error);
}
