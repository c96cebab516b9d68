// Runs the app as an SCGI worker: SCGI_LISTEN is a port, host:port or socket path (default 127.0.0.1:4000).
import { scgi } from '@scgi-node/express';
import { createApp } from './app.js';
import { closeOnSignals, describeAddress } from './shutdown.js';

const target = process.env.SCGI_LISTEN ?? '127.0.0.1:4000';
const server = createApp().listen(scgi(target), () => {
  console.log(`express-app: SCGI worker listening on ${describeAddress(server.address())}`);
});
server.on('error', (error) => {
  console.error(`express-app: cannot listen on ${target}:`, error.message);
  process.exit(1);
});
closeOnSignals(server);
