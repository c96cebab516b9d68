// startManager: bind once, run the worker pool on the shared socket, serve status, handle signals, stop cleanly.
import { unlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createGateway } from '@scgi-node/gateway';
import { ManagerError } from './errors.js';
import { STOP_LINGER_MS } from './ipc/messages.js';
import { openListener } from './listen/open-listener.js';
import { createLogger, type Logger } from './log/logger.js';
import { notifyReady, notifyReloading, notifyStopping } from './notify/sd-notify.js';
import type { ManagerOptions } from './options.js';
import { Pool } from './pool/pool.js';
import { poolOptions } from './pool/pool-options.js';
import { installSignals } from './pool/signals.js';
import type { PoolSnapshot } from './pool/snapshot.js';
import { checkCanSwitch, resolveIdentity } from './security/user.js';
import { type StatusServer, startStatusServer } from './status/status-server.js';

/** The manager's state for `scgi-node status` and the status socket. */
export interface ManagerStatus extends PoolSnapshot {
  pid: number;
  /** Where the workers accept SCGI connections. */
  listen: string;
  /** The built-in gateway's HTTP address, when `--http` is on. */
  http: string | null;
  startedAt: string;
  uptimeMs: number;
}

/** How the manager ended: `code` is the process exit code the CLI should use. */
export interface ManagerExit {
  code: number;
  error?: ManagerError;
}

/** A started manager. */
export interface RunningManager {
  readonly pid: number;
  readonly listen: string;
  readonly http: string | undefined;
  status(): ManagerStatus;
  /** Zero-downtime reload (what SIGHUP does). Rejects, with the cause, when the new workers fail to start. */
  reload(): Promise<void>;
  /** Drain and stop (what SIGTERM does); resolves when every worker is gone. */
  stop(): Promise<ManagerExit>;
  /** Settles when the manager has stopped, whatever stopped it (a signal, stop(), a crash loop). */
  readonly closed: Promise<ManagerExit>;
}

export interface StartHooks {
  /** Install SIGTERM/SIGINT/SIGHUP handlers (default true). */
  signals?: boolean;
  /** Where the one readiness line goes (default process.stdout); null for none. */
  announce?: { write(line: string): unknown } | null;
  logger?: Logger;
}

/**
 * Start the manager: bind (or adopt) the listening socket, start min + spare workers, and resolve once
 * they are ready (readiness also goes to systemd, and one line to stdout). SIGTERM/SIGINT drain and
 * stop it, SIGHUP reloads it; `closed` tells when it has stopped and with which exit code. Rejects
 * with a ManagerError when the socket cannot be opened or the workers spend the crash budget first.
 */
export async function startManager(options: ManagerOptions, hooks: StartHooks = {}): Promise<RunningManager> {
  const log = hooks.logger ?? createLogger({ format: options.logFormat, level: options.logLevel });
  const identity = resolveIdentity({ user: options.user, group: options.group });
  if (identity !== undefined) checkCanSwitch(identity);
  const listener = await openListener(options);
  const pool = new Pool(poolOptions(options, listener.fd, identity, log));
  const notifyOptions = { onError: (error: Error) => log.warn('sd_notify failed', { error }) };
  const startedAt = Date.now();
  let gateway: Server | undefined;
  let httpAddress: string | undefined;
  let statusServer: StatusServer | undefined;
  let ready = false;

  let resolveClosed!: (exit: ManagerExit) => void;
  const closed = new Promise<ManagerExit>((resolve) => (resolveClosed = resolve));
  let stopping: Promise<ManagerExit> | undefined;
  const stop = (error?: ManagerError): Promise<ManagerExit> => {
    stopping ??= (async () => {
      log.info('stopping: draining the workers', { graceMs: options.graceMs });
      void notifyStopping(undefined, notifyOptions);
      gateway?.close();
      gateway?.closeIdleConnections();
      // Closing the primary's descriptor (and removing a unix socket's file) stops new clients at once;
      // the workers keep accepting what is already queued, then finish their requests.
      await listener.close();
      await pool.stop(STOP_LINGER_MS);
      gateway?.closeAllConnections();
      await statusServer?.close();
      if (options.pidFile !== undefined && ready) removeQuietly(options.pidFile);
      removeSignals();
      const exit: ManagerExit = error === undefined ? { code: 0 } : { code: error.exitCode, error };
      log.info('stopped', { code: exit.code });
      resolveClosed(exit);
      return exit;
    })();
    return stopping;
  };
  const reload = async (): Promise<void> => {
    void notifyReloading(undefined, notifyOptions);
    try {
      await pool.reload();
    } finally {
      void notifyReady(`${pool.snapshot().workers.length} workers on ${listener.describe}`, notifyOptions);
    }
  };
  // Installed before the first worker starts: a stop signal during the start stops it cleanly.
  const removeSignals =
    hooks.signals === false
      ? () => {}
      : installSignals({
          stop: (signal) => {
            log.info('signal received', { signal });
            void stop();
          },
          forceStop: (signal) => {
            log.warn('second signal: killing the workers now', { signal });
            pool.kill();
          },
          reload: () => {
            log.info('signal received', { signal: 'SIGHUP' });
            if (ready)
              void reload().catch(() => {}); // the pool logs the outcome
            else log.warn('reload ignored: the manager is not ready yet');
          },
        });
  pool.onFailure = (error) => {
    log.error('giving up', { error });
    void stop(error);
  };
  const status = (): ManagerStatus => ({
    pid: process.pid,
    listen: listener.describe,
    http: httpAddress ?? null,
    startedAt: new Date(startedAt).toISOString(),
    uptimeMs: Date.now() - startedAt,
    ...pool.snapshot(),
  });
  const running: RunningManager = {
    pid: process.pid,
    listen: listener.describe,
    get http() {
      return httpAddress;
    },
    status,
    reload,
    stop: () => stop(),
    closed,
  };

  log.info('starting', {
    pid: process.pid,
    app: options.app,
    listen: listener.describe,
    workers: `${options.workers.min}..${options.workers.max}`,
    spare: options.spare,
    ...(identity === undefined ? {} : { user: identity.describe }),
  });
  try {
    await pool.start();
    if (stopping !== undefined) return running; // stopped while starting: nothing more to open
    if (options.http !== undefined) {
      if (listener.connectTarget === undefined) {
        throw new ManagerError(
          'ERR_SCGI_NODE_BAD_OPTION',
          `--http needs an address to forward to, and ${listener.describe} has none (an inherited unix socket): listen on unix:/path or host:port`,
        );
      }
      gateway = createGateway({ target: listener.connectTarget });
      httpAddress = await listenGateway(gateway, options.http);
    }
    if (options.statusSocket !== undefined)
      statusServer = await startStatusServer(options.statusSocket, status);
    if (options.pidFile !== undefined) writeFileSync(options.pidFile, `${process.pid}\n`);
  } catch (error) {
    removeSignals();
    gateway?.close();
    await statusServer?.close();
    await pool.stop(0);
    await listener.close();
    throw error;
  }

  ready = true;
  const workers = pool.snapshot().workers.length;
  void notifyReady(`${workers} workers on ${listener.describe}`, notifyOptions);
  const http = httpAddress === undefined ? '' : `, http on ${httpAddress}`;
  if (hooks.announce !== null) {
    (hooks.announce ?? process.stdout).write(
      `scgi-node: ready, ${workers} workers on ${listener.describe}${http}\n`,
    );
  }
  log.info('ready', { workers, listen: listener.describe, http: httpAddress });
  return running;
}

/** Listen on `--http`: `host:port`, a port (on 127.0.0.1) or a unix socket path; resolves with the bound address. */
async function listenGateway(gateway: Server, address: string): Promise<string> {
  const hostPort = /^(?:\[([^\]]+)\]|([^:/]*)):(\d+)$/.exec(address);
  await new Promise<void>((resolve, reject) => {
    gateway.once('error', reject);
    if (hostPort !== null)
      gateway.listen(Number(hostPort[3]), hostPort[1] ?? (hostPort[2] || '127.0.0.1'), resolve);
    else if (/^\d+$/.test(address)) gateway.listen(Number(address), '127.0.0.1', resolve);
    else gateway.listen(address.replace(/^unix:/, ''), resolve);
  });
  const bound = gateway.address();
  return typeof bound === 'string' || bound === null ? address : `${bound.address}:${bound.port}`;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
