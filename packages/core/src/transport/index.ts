// Public surface for adapters (@scgi-node/core/transport): the SCGI connection and what serving needs. Re-exports only.

export {
  ScgiConnection,
  type ScgiConnectionHost,
  type ScgiDriver,
  type ScgiRequestSink,
} from '../server/connection.js';
export { type ScgiConnectionSet, SWEEP_INTERVAL_MAX_MS, serveConnections } from '../server/connection-set.js';
export { replyError } from '../server/error-reply.js';
export {
  connectionReset,
  createCgiResponse,
  createIncoming,
  forwardDrain,
  releaseResponse,
} from '../server/exchange.js';
export { listenScgiNet } from '../server/listen.js';
export { reportError } from '../server/server-events.js';
export {
  parseListenTarget,
  type ResolvedServerOptions,
  resolveServerOptions,
} from '../server/target.js';
export { applySocketMode, prepareSocketPath } from '../server/unix-socket.js';
