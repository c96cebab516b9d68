// serveApp: serve a loaded app over SCGI with core (node:http kinds) or @scgi-node/hono (fetch kinds).
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:net';
import { type ScgiListenTarget, type ScgiServerOptions, scgi } from '@scgi-node/core';
import { serve } from '@scgi-node/hono';
import { ManagerError } from '../errors.js';
import type { LoadedApp } from './detect-app.js';

/** The listening server: an http.Server (Express, Koa, listener) or the fetch adapter's net.Server. */
export interface ServedApp extends Server {
  /** Destroy every connection (after `close()`, when the grace period is over). */
  closeAllConnections(): void;
  /** Destroy the connections that have not started a request. */
  closeIdleConnections(): void;
}

/**
 * Listen on `target` (a worker passes its inherited descriptor: `{ fd: 4 }`; also a port, `'host:port'`,
 * a socket path) with core's SCGI limits `limits`, and resolve once listening. Express, Koa and listener
 * apps run on `http.createServer(listener).listen(scgi(target))`, so they get node:http's real
 * IncomingMessage/ServerResponse; Hono and fetch apps run on @scgi-node/hono's `serve`, straight from SCGI
 * to `Request`.
 *
 * @throws ManagerError `ERR_SCGI_NODE_LISTEN` when the server cannot listen (`cause`: the socket error).
 */
export async function serveApp(
  app: LoadedApp,
  target: ScgiListenTarget,
  limits: ScgiServerOptions = {},
): Promise<ServedApp> {
  let server: ServedApp | undefined;
  try {
    server =
      app.fetch === undefined
        ? createServer(app.listener).listen(scgi(target, limits))
        : serve({ ...limits, fetch: app.fetch, listen: target });
    await once(server, 'listening');
    return server;
  } catch (error) {
    server?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new ManagerError(
      'ERR_SCGI_NODE_LISTEN',
      `${app.describe} cannot listen on ${JSON.stringify(target)}: ${reason}`,
      { cause: error },
    );
  }
}
