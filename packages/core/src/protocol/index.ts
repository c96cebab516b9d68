// Public surface of the sans-IO SCGI protocol core (@scgi-node/core/protocol): re-exports only.

export * from './cgi-names.js';
export * from './env-from-request.js';
export * from './errors.js';
export type { KnownVariableName, KnownVariables } from './known-variables.js';
export * from './request-encoder.js';
export * from './request-from-env.js';
export { type HeadShape, RequestHead } from './request-head.js';
export * from './request-parser.js';
export * from './response-head-parser.js';
