// Graceful stop on SIGINT/SIGTERM: stop accepting, let requests in flight finish, then exit.
import type { Server } from 'node:http';

/** Long-lived responses (the /stream ticks) may not end on their own: they are cut after this. */
const GRACE_MS = 10_000;

/** On SIGINT or SIGTERM, close `server`; connections still open after {@link GRACE_MS} are dropped. */
export function closeOnSignals(server: Server): void {
  const stop = (signal: NodeJS.Signals) => {
    console.log(`koa-app: ${signal} received, closing`);
    server.close(() => console.log('koa-app: closed'));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), GRACE_MS).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
