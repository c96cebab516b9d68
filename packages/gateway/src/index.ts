// @scgi-node/gateway: an HTTP -> SCGI gateway (development front, and the transport of the test helper).
export type { BackendTarget } from './backend-target.js';
export { createGateway } from './gateway.js';
export type { GatewayFailureCode, GatewayLog, GatewayLogEntry } from './log.js';
export {
  DEFAULT_BACKEND_TIMEOUT_MS,
  DEFAULT_MAX_BUFFERED_REQUEST_BYTES,
  DEFAULT_RESPONSE_MEMORY_LIMIT_BYTES,
  type GatewayOptions,
  type ResponseBufferingOptions,
} from './options.js';
