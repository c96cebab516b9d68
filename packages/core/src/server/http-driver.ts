// The node:http driver: each SCGI request becomes a 'request' event with a real IncomingMessage/ServerResponse.
import type { Server } from 'node:http';
import { ScgiError } from '../protocol/errors.js';
import type { ScgiDriver } from './connection.js';
import { HttpExchange } from './exchange.js';
import { reportError } from './server-events.js';

/** Emits 'request' on `server` as soon as a head is read, as node:http does (the body follows). */
export function httpDriver(server: Server): ScgiDriver {
  return {
    open(connection, head) {
      const exchange = new HttpExchange(connection, head);
      try {
        server.emit('request', exchange.req, exchange.res);
      } catch (error) {
        onHandlerError(server, exchange, error);
      }
      return exchange;
    },
  };
}

function onHandlerError(server: Server, { req, res }: HttpExchange, cause: unknown): void {
  const socket = req.socket;
  const error = new ScgiError(
    'ERR_SCGI_HANDLER_FAILED',
    `Request handler threw for ${req.method} ${req.url}`,
    {
      cause,
    },
  );
  reportError(server, error, socket);
  if (res.headersSent || res.writableEnded) {
    socket.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal Server Error\n');
}
