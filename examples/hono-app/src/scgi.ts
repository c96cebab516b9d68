// Runs the app as an SCGI worker: SCGI_LISTEN is a port, host:port, socket path or fd:N (default 127.0.0.1:4002).
import { getConnInfo, serve } from '@scgi-node/hono';
import { createApp } from './app.js';
import { closeOnSignals, describeAddress } from './shutdown.js';

const target = process.env.SCGI_LISTEN ?? '127.0.0.1:4002';
const app = createApp({ getConnInfo });
const server = serve({ fetch: app.fetch, listen: target }, (address) => {
  console.log(`hono-app: SCGI worker listening on ${describeAddress(address)}`);
});
server.on('error', (error) => {
  console.error(`hono-app: cannot listen on ${target}:`, error.message);
  process.exit(1);
});
closeOnSignals(server);
