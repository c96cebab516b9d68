// @scgi-node/manager: the process manager behind the scgi-node CLI. Re-exports only.

export { ACCEPTED_APPS, type AppKind, detectApp, type LoadedApp } from './app/detect-app.js';
export { loadApp } from './app/load-app.js';
export { type ServedApp, serveApp } from './app/serve-app.js';
export { renderHelp, renderOptionsMarkdown } from './cli/help.js';
export { type CliCommand, parseCommandLine } from './cli/parse-args.js';
export { type CliIo, runCli } from './cli/run-cli.js';
export {
  isManagerError,
  MANAGER_EXIT_CODES,
  ManagerError,
  type ManagerErrorCode,
  type ManagerErrorOptions,
} from './errors.js';
export {
  DEFAULT_LISTEN,
  type OpenedListener,
  type OpenListener,
  type OpenListenerOptions,
  openListener,
} from './listen/open-listener.js';
export {
  createLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFields,
  type LogFormat,
  type Logger,
  type LoggerOptions,
  type LogLevel,
} from './log/logger.js';
export {
  type ManagerExit,
  type ManagerStatus,
  type RunningManager,
  type StartHooks,
  startManager,
} from './manager.js';
export {
  type NotifyOptions,
  notifyReady,
  notifyReloading,
  notifyStatus,
  notifyStopping,
  sdNotify,
} from './notify/sd-notify.js';
export {
  type ManagerOptions,
  type ManagerOptionsInput,
  OPTION_GROUPS,
  OPTION_KEYS,
  OPTIONS,
  type OptionKey,
  type OptionSpec,
  type ResolveContext,
  resolveManagerOptions,
  type WorkerRange,
} from './options.js';
export type { PoolSnapshot, PoolState, PoolTotals, WorkerSnapshot } from './pool/snapshot.js';
export type { RetireReason, WorkerState } from './pool/worker-record.js';
export {
  type AllowList,
  createAllowList,
  isLoopback,
  LOOPBACK_CIDRS,
  parseCidr,
  refuseOutsiders,
} from './security/allow-list.js';
export { checkCanSwitch, type Identity, resolveIdentity, resolveOwner } from './security/user.js';
export { fetchStatus, formatStatus, type StatusView, type WorkerView } from './status/status-client.js';
export { type StatusServer, startStatusServer } from './status/status-server.js';
