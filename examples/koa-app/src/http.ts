// Entry point: the same app on plain node:http, to compare with the SCGI worker or develop without a front.
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { closeOnSignals } from './shutdown.js';

const port = Number(process.env.PORT ?? 3001);
const host = process.env.HOST ?? '127.0.0.1';
const server = createApp().listen(port, host, () => {
  const address = server.address() as AddressInfo;
  console.log(`koa-app: HTTP server listening on http://${address.address}:${address.port}/`);
});
server.on('error', (error) => {
  console.error(`koa-app: cannot listen on ${host}:${port}: ${error.message}`);
  process.exitCode = 1;
});
closeOnSignals(server);
