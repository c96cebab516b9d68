// @scgi-node/koa: `app.listen(scgi(4000))` for Koa 2 and 3, and the `cgi()` middleware.
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
