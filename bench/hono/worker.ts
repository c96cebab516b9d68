// One bench worker in its own process: the same Hono app behind one of the compared paths.
// Usage (forked by run.ts): worker.ts <path> <socket>; IPC: 'ready', and { cpu } on request.
import { chmodSync } from 'node:fs';
import type { Server } from 'node:net';
import { createAdaptorServer, getRequestListener } from '@hono/node-server';
import { createServer, scgi } from '@scgi-node/core';
import { createFetchHandler, serve } from '@scgi-node/hono';
import { createApp } from './app.js';

const [path, socketPath] = process.argv.slice(2);
if (path === undefined || socketPath === undefined) throw new Error('usage: worker.ts <path> <socket>');
const app = createApp();

function start(): Server {
  switch (path) {
    case 'serve':
      return serve({ fetch: app.fetch, listen: { path: socketPath!, mode: 0o666 } });
    case 'node-server': {
      // @hono/node-server over HTTP on a unix socket (nginx proxy_pass, a new connection per request).
      const server = createAdaptorServer({ fetch: app.fetch });
      server.listen(socketPath, () => chmodSync(socketPath!, 0o666));
      return server as Server;
    }
    case 'incoming':
      // Hono through IncomingMessage: core's SCGI server with @hono/node-server's request listener.
      return createServer(getRequestListener(app.fetch)).listen(scgi({ path: socketPath!, mode: 0o666 }));
    case 'fetch-handler':
      return createServer(createFetchHandler(app.fetch)).listen(scgi({ path: socketPath!, mode: 0o666 }));
    default:
      throw new Error(`unknown path ${path}`);
  }
}

const server = start();
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});
server.on('listening', () => process.send?.('ready'));
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.on('disconnect', () => process.exit(0));
