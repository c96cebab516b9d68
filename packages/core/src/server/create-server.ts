// `createServer(listener, options)`: an http.Server that speaks SCGI from the start.
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { attachScgi } from './attach.js';
import { resolveServerOptions, type ScgiServerOptions } from './target.js';

/** An http.Server whose `listen(4000 | 'host:port' | path | scgi(...))` serves SCGI. */
export function createServer(listener?: RequestListener, options: ScgiServerOptions = {}): Server {
  const server = createHttpServer(listener);
  attachScgi(server, resolveServerOptions(options));
  return server;
}
