// `serve({ fetch, listen })`: a fetch handler as an SCGI worker, straight from SCGI to Request and back.
import { type AddressInfo, createServer, type Server } from 'node:net';
import { type ScgiListenTarget, type ScgiServerOptions, scgi } from '@scgi-node/core';
import { listenScgiNet, serveConnections } from '@scgi-node/core/transport';
import type { ScgiEnv } from './env.js';
import { fetchDriver } from './fetch-exchange.js';
import { installGlobals } from './globals.js';
import type { FetchHandler } from './run-fetch.js';

/** Where `serve` listens when given neither `listen` nor `port`: the usual SCGI port, on loopback. */
export const DEFAULT_SCGI_PORT = 4000;

/** Options of {@link serve}; the limits and timeouts are core's, with core's defaults. */
export interface ServeOptions<Bindings extends object = {}> extends ScgiServerOptions {
  /** Hono's `app.fetch`, or any `(request, env) => Response | Promise<Response>`. */
  fetch: FetchHandler<ScgiEnv<Bindings>>;
  /**
   * Where to listen, as core's `scgi()` takes it: a port (on 127.0.0.1), `'host:port'`, a unix socket
   * path, `'fd:N'`, or `{ port, host, path, fd, mode, backlog }`. Default: `port`, else 4000.
   */
  listen?: ScgiListenTarget;
  /** TCP port, as in @hono/node-server (on `hostname`, default 127.0.0.1). Ignored when `listen` is set. */
  port?: number;
  /** TCP host for `port`. */
  hostname?: string;
  /** Merged into every request's `env` (Hono's `c.env`) beside the CGI variables. */
  bindings?: Bindings;
  /**
   * Install the lightweight Request/Response as the global ones (default true, as in @hono/node-server):
   * what lets `c.text()`/`c.json()` be written without building and reading a real Response.
   */
  overrideGlobalObjects?: boolean;
}

/** The server `serve` returns: a net.Server, plus node:http's connection-closing helpers. */
export interface ScgiFetchServer extends Server {
  /** Destroy every connection (after `close()`, for a fast shutdown). */
  closeAllConnections(): void;
  /** Destroy the connections that have not started a request. */
  closeIdleConnections(): void;
}

/**
 * Serve `fetch` over SCGI: `serve({ fetch: app.fetch, listen: '/run/app.sock' })`. Mirrors
 * @hono/node-server's `serve` (swap the import, and `port` for `listen` if you want a unix socket).
 * `listeningListener` gets `server.address()`. Returns the server; listen errors arrive as `'error'`.
 */
export function serve<Bindings extends object = {}>(
  options: ServeOptions<Bindings>,
  listeningListener?: (address: AddressInfo | string) => void,
): ScgiFetchServer {
  if (typeof options?.fetch !== 'function') throw new TypeError('serve: options.fetch must be a function');
  const target = scgi(listenTarget(options), options);
  if (options.overrideGlobalObjects !== false) installGlobals();
  const server = createServer({ allowHalfOpen: true }) as ScgiFetchServer;
  const driver = fetchDriver({ fetch: options.fetch as FetchHandler<unknown>, bindings: options.bindings });
  // Core's SCGI connection (parser, limits, timeouts, error replies) with the fetch path as its driver.
  const connections = serveConnections(server, target.options, driver);
  server.closeAllConnections = () => connections.closeAll();
  server.closeIdleConnections = () => connections.closeIdle();
  if (listeningListener !== undefined) {
    server.once('listening', () => listeningListener(server.address()!));
  }
  // As core's listen(scgi(...)): a stale unix socket file is replaced, `mode` applied before 'listening'.
  listenScgiNet(server, target.listen);
  return server;
}

function listenTarget(options: Pick<ServeOptions, 'listen' | 'port' | 'hostname'>): ScgiListenTarget {
  if (options.listen !== undefined) return options.listen;
  const port = options.port ?? DEFAULT_SCGI_PORT;
  return options.hostname === undefined ? port : { port, host: options.hostname };
}
