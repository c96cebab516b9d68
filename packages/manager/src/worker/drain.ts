// A worker's drain: stop accepting on the shared socket, let in-flight requests finish, bounded by a grace period.
import { once } from 'node:events';
import { Server } from 'node:net';
import { DRAIN_LINGER_MAX_MS } from '../ipc/messages.js';
import type { RequestTracker } from './request-tracker.js';

const LINGER_POLL_MS = 10;

/**
 * Drain `server`: with `lingerMs` > 0 keep accepting until no connection came for that long (at most
 * {@link DRAIN_LINGER_MAX_MS}), then close this process's copy of the listening socket and wait for
 * every open connection to end, or for what is left of `graceMs`. Resolves with the number of requests
 * still in flight (cut when the process exits).
 */
export async function drainServer(
  server: Server,
  tracker: RequestTracker,
  lingerMs: number,
  graceMs: number,
): Promise<number> {
  const started = Date.now();
  if (lingerMs > 0) {
    // The primary stopped new clients (a unix socket's file is gone); those already queued on the socket
    // get served instead of reset when the last descriptor closes.
    let lastConnectionAt = started;
    const seen = () => {
      lastConnectionAt = Date.now();
    };
    server.on('connection', seen);
    while (Date.now() - lastConnectionAt < lingerMs && Date.now() - started < DRAIN_LINGER_MAX_MS) {
      await delay(LINGER_POLL_MS);
    }
    server.off('connection', seen);
  }
  // 'close' comes once the server is closed and its last connection has ended.
  const closed = once(server, 'close');
  // net.Server's close, not http.Server's: that one also closes connections whose request bytes have not
  // arrived yet, and those are requests the front server already sent.
  Server.prototype.close.call(server);
  let timer: NodeJS.Timeout | undefined;
  const left = Math.max(0, graceMs - (Date.now() - started));
  await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
  clearTimeout(timer);
  return tracker.inFlight;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
