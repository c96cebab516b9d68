// @scgi-node/gateway: an HTTP -> SCGI gateway (development front, and the transport of the test helper).
export type { BackendTarget } from './backend-target.js';
// The CGI bridge (`scgi-cgi`, `scgi-node cgi`): one CGI request relayed to a worker started on demand.
export { type CgiBridgeIo, runCgiBridge } from './cgi-bridge/bridge.js';
export { CgiBridgeError, type CgiBridgeErrorCode } from './cgi-bridge/errors.js';
export { readRawEnvironment } from './cgi-bridge/raw-env.js';
export { createGateway } from './gateway.js';
export type { GatewayFailureCode, GatewayLog, GatewayLogEntry } from './log.js';
export {
  DEFAULT_BACKEND_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED_REQUEST_BYTES,
  DEFAULT_RESPONSE_MEMORY_LIMIT_BYTES,
  type GatewayOptions,
  type ResponseBufferingOptions,
} from './options.js';
