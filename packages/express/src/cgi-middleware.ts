// Express middleware: the request's CGI variables on `req.cgi`, and the web server's user on `req.remoteUser`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cgiVariables } from '@scgi-node/core';

declare global {
  // Express declares its Request type in this global namespace; merging here types `req.cgi` for apps.
  namespace Express {
    interface Request {
      /** CGI variables from the front server (`REMOTE_USER`, `DOCUMENT_ROOT`, ...); undefined off SCGI. */
      cgi?: Readonly<Record<string, string>>;
      /** `REMOTE_USER` set by the web server's own authentication. */
      remoteUser?: string;
    }
  }
}

type CgiRequest = IncomingMessage & { cgi?: Readonly<Record<string, string>>; remoteUser?: string };

/** `app.use(cgi())`: puts the CGI variables on `req.cgi` and `REMOTE_USER` on `req.remoteUser`. */
export function cgi() {
  return function cgiMiddleware(
    req: CgiRequest,
    _res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    const env = cgiVariables(req);
    if (env !== undefined) {
      req.cgi = env;
      if (env.REMOTE_USER) req.remoteUser = env.REMOTE_USER;
    }
    next();
  };
}
