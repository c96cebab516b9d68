// The messages between the primary and its workers (Node's IPC channel, JSON), and the worker's start config.

/** The oldest request a worker is running, as its heartbeat reports it. */
export interface InFlightRequest {
  method: string;
  url: string;
  ageMs: number;
}

/** Worker -> primary: listening on the shared socket, the app module loaded. */
export interface ReadyMessage {
  type: 'ready';
}

/** Worker -> primary: the app could not be loaded or served; the worker exits 1 right after. */
export interface FatalMessage {
  type: 'fatal';
  /** The cause as the user should read it (the module's own error message, with its code if any). */
  message: string;
  code?: string;
  stack?: string;
}

/** Worker -> primary, every {@link HEARTBEAT_INTERVAL_MS}: what the supervisor decides from. */
export interface HeartbeatMessage {
  type: 'heartbeat';
  /** Requests whose head was parsed and whose connection is still open. */
  inFlight: number;
  /** Requests started since the worker started. */
  served: number;
  rssBytes: number;
  /** How late this heartbeat's timer fired: the event loop's recent blocking. */
  lagMs: number;
  oldest?: InFlightRequest;
}

/** Worker -> primary: the worker answered a request past `--timeout` itself (its event loop was alive). */
export interface TimeoutMessage {
  type: 'timeout';
  request: InFlightRequest;
  /** Whether the client got a 504 (false: the response head had already gone, the connection was closed). */
  answered504: boolean;
}

/** Worker -> primary: a TCP client outside `--allow` was refused (its connection destroyed unread). */
export interface RefusedMessage {
  type: 'refused';
  address: string | undefined;
}

export type WorkerMessage = ReadyMessage | FatalMessage | HeartbeatMessage | TimeoutMessage | RefusedMessage;

/** Primary -> worker: stop accepting, finish in-flight requests within `graceMs`, then exit 0. */
export interface DrainMessage {
  type: 'drain';
  graceMs: number;
  /**
   * Keep accepting until no connection came for this long (capped at {@link DRAIN_LINGER_MAX_MS}), so
   * connections already queued on the socket are served: 0 when other workers keep the socket (reload,
   * recycle, scale down), > 0 when the manager stops and this is the socket's last use.
   */
  lingerMs: number;
}

/** Longest a stopping worker keeps accepting (a TCP socket under steady load never goes quiet). */
export const DRAIN_LINGER_MAX_MS = 1000;

/**
 * When the manager stops, workers keep accepting until no connection came for this long: the unix
 * socket's file is gone by then, so what still arrives was queued before the stop and is served.
 */
export const STOP_LINGER_MS = 50;

export type PrimaryMessage = DrainMessage;

/** Written by the worker's watchdog thread on the report pipe (fd {@link REPORT_FD}) just before it kills its process. */
export interface WatchdogReport {
  type: 'watchdog-kill';
  request: InFlightRequest;
  answered504: boolean;
}

/** How often a worker reports, and how the primary's "blocked" threshold relates to it. */
export const HEARTBEAT_INTERVAL_MS = 100;

/** The child's descriptor for the shared listening socket (stdio index). */
export const LISTEN_FD = 4;
/** The child's descriptor for the watchdog's report pipe to the primary (stdio index). */
export const REPORT_FD = 5;

/** The environment variable that carries a worker's {@link WorkerConfig} as JSON. */
export const WORKER_CONFIG_ENV = 'SCGI_NODE_WORKER_CONFIG';

/** Everything a worker needs to start, decided by the primary. */
export interface WorkerConfig {
  /** Absolute path (or file URL) of the app module. */
  module: string;
  exportName: string;
  /** `--timeout` in ms; 0 disables the in-worker timeout and the watchdog thread. */
  timeoutMs: number;
  /** CIDR list checked against each TCP client's real address; absent for unix sockets. */
  allow?: string[];
  /** Grace period for a drain the worker starts itself (SIGTERM sent straight to it). */
  graceMs: number;
  /** Worker id (for log lines). */
  id: number;
  /** Core's SCGI limits and timeouts for the worker's server. */
  limits: {
    maxHeaderBytes: number;
    maxBodyBytes: number;
    headersTimeoutMs: number;
    idleTimeoutMs: number;
    allowHalfClose: boolean;
  };
}

const WORKER_TYPES = new Set(['ready', 'fatal', 'heartbeat', 'timeout', 'refused']);

/** Type guard for what a worker sends (anything else on the channel is ignored). */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    WORKER_TYPES.has((value as { type?: unknown }).type as string)
  );
}

/** Type guard for what the primary sends. */
export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === 'drain' &&
    typeof (value as { graceMs?: unknown }).graceMs === 'number' &&
    typeof (value as { lingerMs?: unknown }).lingerMs === 'number'
  );
}
