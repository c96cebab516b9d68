// @scgi-node/core: the SCGI transport. Importing it installs the listen hook for `listen(scgi(...))`.
import { installListenHook } from './server/listen-hook.js';

installListenHook();

export type { ConnectTarget } from './client/connect-target.js';
export {
  DEFAULT_HEAD_TIMEOUT_MS,
  type RequestBody,
  request,
  type ScgiRequestInit,
  type ScgiResponse,
} from './client/request.js';
export {
  ERROR_STATUS,
  isScgiError,
  ScgiError,
  type ScgiErrorCode,
  ScgiProtocolError,
} from './protocol/errors.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES } from './protocol/request-parser.js';
export { cgiVariables, scgiRequest } from './server/cgi-variables.js';
export { createServer } from './server/create-server.js';
export { SCGI_ERROR_EVENT } from './server/server-events.js';
export type { ScgiRequestRecord } from './server/socket-facade.js';
export {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_IDLE_TIMEOUT_MS,
  isScgiTarget,
  type ScgiListenOptions,
  type ScgiListenTarget,
  type ScgiServerOptions,
  type ScgiTarget,
  scgi,
} from './server/target.js';
