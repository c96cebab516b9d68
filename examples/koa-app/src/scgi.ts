// Entry point: the app as an SCGI worker behind nginx (scgi_pass), Apache (mod_proxy_scgi) or lighttpd.
import type { AddressInfo } from 'node:net';
import { scgi } from '@scgi-node/koa';
import { createApp } from './app.js';
import { closeOnSignals } from './shutdown.js';

// `127.0.0.1:4001`, a bare port, or a unix socket path such as `/run/koa-app/scgi.sock`.
const target = process.env.SCGI_LISTEN ?? '127.0.0.1:4001';
const server = createApp().listen(scgi(target), () => {
  const address = server.address() as AddressInfo | string;
  const where = typeof address === 'string' ? `unix:${address}` : `${address.address}:${address.port}`;
  console.log(`koa-app: SCGI worker listening on ${where}`);
});
server.on('error', (error) => {
  console.error(`koa-app: cannot listen on ${target}: ${error.message}`);
  process.exitCode = 1;
});
closeOnSignals(server);
