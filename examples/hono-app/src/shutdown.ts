// Graceful stop for both entries: on SIGINT/SIGTERM stop accepting, let requests finish, then exit.
import type { AddressInfo } from 'node:net';

/** Time given to running requests (an SSE stream, a download) before connections are cut. */
const SHUTDOWN_GRACE_MS = 5000;

/** What both servers offer: node:http's (from @hono/node-server) and @scgi-node/hono's. */
export interface ClosableServer {
  close(callback?: (error?: Error) => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/** `127.0.0.1:4002`, `[::1]:4002` or a socket path, for the log line. */
export function describeAddress(address: AddressInfo | string | null): string {
  if (address === null) return '(not listening)';
  if (typeof address === 'string') return address;
  return address.family === 'IPv6'
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}

/** On SIGINT/SIGTERM: close the server, exit 0 once it has closed; cut connections after the grace time. */
export function closeOnSignals(server: ClosableServer): void {
  const stop = (signal: NodeJS.Signals) => {
    console.log(`hono-app: ${signal}, closing`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
