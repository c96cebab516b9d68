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
  private current: ResolvedServerOptions;
  private sweeping = false;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    readonly server: Server,
    options: ResolvedServerOptions,
    readonly driver: ScgiDriver,
  ) {
    this.current = options;
  }

  /** Read by each new connection. Replacing them affects later connections (and restarts the sweep). */
  get options(): ResolvedServerOptions {
    return this.current;
  }

  set options(options: ResolvedServerOptions) {
    this.current = options;
    if (this.sweeping) {
      this.stopSweep();
      this.startSweep();
    }
  }

  /** Take `socket` as an SCGI connection; the sweep starts with the first one (however it came). */
  accept(socket: Socket): ScgiConnection {
    if (!this.sweeping) this.startSweep();
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

  /** Stop the sweep (the server closed); the next accepted connection starts it again. */
  stopSweep(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
    this.sweeping = false;
  }

  /** Unref'd, so it never keeps the process alive; none at all when both timeouts are off. */
  private startSweep(): void {
    this.sweeping = true;
    const { headersTimeoutMs, idleTimeoutMs } = this.current;
    const shortest = Math.min(...[headersTimeoutMs, idleTimeoutMs].filter((ms) => ms > 0));
    if (shortest === Number.POSITIVE_INFINITY) return;
    const intervalMs = Math.max(1, Math.min(SWEEP_INTERVAL_MAX_MS, Math.floor(shortest / 4)));
    this.sweep = setInterval(this.checkTimeouts, intervalMs);
    this.sweep.unref();
  }

  private readonly checkTimeouts = (): void => {
    const now = Date.now();
    for (const connection of this.connections) connection.checkTimeouts(now);
  };
}

/**
 * Serve SCGI on `server` (any net.Server): its connections go to `driver`; the sweep runs from the
 * first connection until 'close' (which waits for the last connection).
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
  server.on('close', () => set.stopSweep());
  return set;
}
