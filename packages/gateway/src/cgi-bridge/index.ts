// @scgi-node/gateway/cgi-bridge: the CGI bridge alone, without the HTTP gateway (a CGI program starts small).
export { type CgiBridgeIo, EXIT_ANSWERED, EXIT_CUT, EXIT_NOT_CGI, runCgiBridge } from './bridge.js';
export { CgiBridgeError, type CgiBridgeErrorCode } from './errors.js';
export { runCgiProgram } from './program.js';
export { readRawEnvironment } from './raw-env.js';
