// @scgi-node/hono: Hono (or any fetch handler) as an SCGI worker. Re-exports only.
export { getConnInfo } from './conn-info.js';
export type { CgiVariables, ScgiEnv } from './env.js';
export { createFetchHandler, type FetchHandlerOptions } from './fetch-handler.js';
export { ALREADY_SENT_HEADER, type HttpBindings } from './node-bindings.js';
export type { FetchHandler } from './run-fetch.js';
export { DEFAULT_SCGI_PORT, type ScgiFetchServer, type ServeOptions, serve } from './serve.js';
