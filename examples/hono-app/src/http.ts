// Runs the same app on plain node:http (PORT, default 3002, on 127.0.0.1), to compare with the SCGI worker.
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from './app.js';
import { closeOnSignals, describeAddress } from './shutdown.js';

const port = Number(process.env.PORT ?? 3002);
const app = createApp({ getConnInfo });
// node:http's server (not http2): `closeIdleConnections` and `closeAllConnections` are there.
const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => {
  console.log(`hono-app: HTTP server listening on http://${describeAddress(server.address())}/`);
}) as Server;
server.on('error', (error) => {
  console.error(`hono-app: cannot listen on port ${port}:`, error.message);
  process.exit(1);
});
closeOnSignals(server);
