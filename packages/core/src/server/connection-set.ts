// The SCGI connections of one server: accepted into a driver, closed on demand, timed out by one sweep.
import type { Server, Socket } from 'node:net';
import { ScgiConnection, type ScgiConnectionHost, type ScgiDriver } from './connection.js';
import type { ResolvedServerOptions } from './target.js';

/** Most time between two timeout checks; a timeout fires up to min(this, timeout / 4) after it is due. */
export const SWEEP_INTERVAL_MAX_MS = 1_000;

/**
 * Every SCGI connection of `server`, served by `driver`. One interval per server checks each
 * connection's header-read and idle timeouts, instead of two timers per connection (node:http checks
 * its headersTimeout the same way): arming and clearing those timers cost ~3 µs of a small request.
 */
export class ScgiConnectionSet implements ScgiConnectionHost {
  readonly connections = new Set<ScgiConnection>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    readonly server: Server,
    /** Read by each new connection; replacing it affects later connections (and the next sweep start). */
    public options: ResolvedServerOptions,
    readonly driver: ScgiDriver,
  ) {}

  /** Take `socket` as an SCGI connection. */
  accept(socket: Socket): ScgiConnection {
    return new ScgiConnection(this, socket);
  }

  /** Destroy every connection (server.closeAllConnections()). */
  closeAll(): void {
    for (const connection of this.connections) connection.destroy();
  }

  /** Destroy the connections that have not started a request (server.closeIdleConnections()). */
  closeIdle(): void {
    for (const connection of this.connections) if (connection.idle) connection.destroy();
  }

  /** (Re)start the sweep for the current options; unref'd, so it never keeps the process alive. */
  startSweep(): void {
    this.stopSweep();
    const { headersTimeoutMs, idleTimeoutMs } = this.options;
    const shortest = Math.min(...[headersTimeoutMs, idleTimeoutMs].filter((ms) => ms > 0));
    if (shortest === Number.POSITIVE_INFINITY) return;
    const intervalMs = Math.max(1, Math.min(SWEEP_INTERVAL_MAX_MS, Math.floor(shortest / 4)));
    this.sweep = setInterval(this.checkTimeouts, intervalMs);
    this.sweep.unref();
  }

  stopSweep(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }

  private readonly checkTimeouts = (): void => {
    const now = Date.now();
    for (const connection of this.connections) connection.checkTimeouts(now);
  };
}

/**
 * Serve SCGI on `server` (any net.Server): its connections go to `driver`; the sweep runs while it
 * listens (until 'close', which waits for the last connection).
 */
export function serveConnections(
  server: Server,
  options: ResolvedServerOptions,
  driver: ScgiDriver,
): ScgiConnectionSet {
  const set = new ScgiConnectionSet(server, options, driver);
  server.on('connection', (socket: Socket) => {
    set.accept(socket);
  });
  server.on('listening', () => set.startSweep());
  server.on('close', () => set.stopSweep());
  if (server.listening) set.startSweep();
  return set;
}
