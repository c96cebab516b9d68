// @scgi-node/express: `app.listen(scgi(4000))` for Express 4 and 5, and the `cgi()` middleware.
export {
  cgiVariables,
  createServer,
  type ScgiListenOptions,
  type ScgiListenTarget,
  type ScgiServerOptions,
  type ScgiTarget,
  scgi,
} from '@scgi-node/core';
export { cgi } from './cgi-middleware.js';
