// Koa middleware: the request's CGI variables on `ctx.cgi`, and the web server's user on `ctx.state.remoteUser`.
import { cgiVariables } from '@scgi-node/core';
import type { Middleware } from 'koa';

declare module 'koa' {
  interface DefaultContext {
    /** CGI variables from the front server (`REMOTE_USER`, `DOCUMENT_ROOT`, ...); undefined off SCGI. */
    cgi?: Readonly<Record<string, string>>;
  }
}

/** `app.use(cgi())`: puts the CGI variables on `ctx.cgi` and `REMOTE_USER` on `ctx.state.remoteUser`. */
export function cgi(): Middleware {
  return function cgiMiddleware(ctx, next) {
    const env = cgiVariables(ctx.req);
    if (env !== undefined) {
      ctx.cgi = env;
      if (env.REMOTE_USER) ctx.state.remoteUser = env.REMOTE_USER;
    }
    return next();
  };
}
