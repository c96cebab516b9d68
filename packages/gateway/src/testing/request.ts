// request(app): a supertest agent whose requests travel HTTP -> gateway -> SCGI -> app, as in production.
import type { RequestListener, Server } from 'node:http';
import { createServer as createScgiServer, type ScgiServerOptions } from '@scgi-node/core';
import supertest from 'supertest';
import { type FetchHandler, fetchListener } from '../fetch-listener.js';
import { createGateway } from '../gateway.js';
import { defaultLog } from '../log.js';
import type { GatewayOptions } from '../options.js';

/**
 * What `request()` can test: an Express app, a Koa app (or its `app.callback()`), a plain
 * `(req, res)` listener, a fetch handler such as Hono's `app.fetch`, or an object with `.fetch` (a Hono app).
 */
export type TestableApp =
  | RequestListener
  | FetchHandler
  | { callback(): RequestListener }
  | { fetch(request: Request): Response | Promise<Response> };

export interface TestRequestOptions {
  /**
   * How to call a function app. By default one declared with fewer than two parameters is a fetch handler
   * (`(request) => Response`), any other a node listener (`(req, res)`, Express's `(req, res, next)`).
   */
  kind?: 'node' | 'fetch';
  /** Gateway options (timeouts, response buffering, log, serverName, …). */
  gateway?: Omit<GatewayOptions, 'target' | 'tls'>;
  /** Options of the app's SCGI server (core's limits and timeouts). */
  backend?: ScgiServerOptions;
}

/** A supertest agent (cookies persist across its requests) with the two servers behind it. */
export type GatewayTestAgent = ReturnType<typeof supertest.agent> & {
  /** The HTTP gateway supertest talks to. */
  readonly gateway: Server;
  /** The app's SCGI server. */
  readonly backend: Server;
  /** Close both servers and every connection now (also what `await using` calls). */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
};

function listenerFor(app: TestableApp, kind: TestRequestOptions['kind']): RequestListener {
  if (typeof app === 'object' && app !== null) {
    if ('callback' in app && typeof app.callback === 'function') return app.callback();
    if ('fetch' in app && typeof app.fetch === 'function')
      return fetchListener((request) => app.fetch(request));
  } else if (typeof app === 'function') {
    const isFetch = kind === 'fetch' || (kind === undefined && app.length < 2);
    return isFetch ? fetchListener(app as FetchHandler) : (app as RequestListener);
  }
  throw new TypeError(
    'request(app): app must be a listener, a fetch handler, a Koa app or an object with .fetch',
  );
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Test `app` with supertest through the real transport: each request goes over HTTP to a gateway, over
 * SCGI to the app's SCGI server, and back. Servers start on the first request and close when the last
 * one in flight has ended (supertest's own lifecycle for a server it is given unstarted); `close()` or
 * `await using` closes them at once.
 *
 * @example
 * await request(app).get('/users').expect(200);
 * await using api = request(app); // several requests, cookies kept between them
 */
export function request(app: TestableApp, options: TestRequestOptions = {}): GatewayTestAgent {
  const backend = createScgiServer(listenerFor(app, options.kind), options.backend);
  const log = options.gateway?.log ?? defaultLog;
  let closing = false;
  const gateway = createGateway({
    ...options.gateway,
    target: backend,
    // Requests cut by close() are the test's doing, not failures worth a log line.
    log: log === 'silent' ? log : (entry) => closing || log(entry),
  });
  // supertest listens on the gateway before a request and closes it after the last one: the app's SCGI
  // server follows (loopback, an ephemeral port; the gateway reads its address per request).
  gateway.on('listening', () => {
    closing = false;
    if (!backend.listening) backend.listen(0);
  });
  gateway.on('close', () => void closeServer(backend));
  const close = async () => {
    closing = true; // until the next start: the last cut requests report after the servers closed
    // Clients first: the gateway lets go of its backend connections as its clients go.
    await closeServer(gateway);
    await closeServer(backend);
  };
  return Object.assign(supertest.agent(gateway), { gateway, backend, close, [Symbol.asyncDispose]: close });
}
