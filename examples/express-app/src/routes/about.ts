// Request facts and small demos: /whoami (what the app sees through SCGI), /old → /new, /boom.
import { cgi } from '@scgi-node/express';
import express, { type Router } from 'express';
import { page, table } from '../html.js';

/** What the app knows about the visitor; over SCGI it comes from the web server's CGI variables. */
export interface WhoAmI {
  ip: string | null;
  protocol: string;
  secure: boolean;
  hostname: string | null;
  remoteUser: string | null;
  /** true when the request came over SCGI (the `cgi()` middleware found CGI variables). */
  scgi: boolean;
  serverSoftware: string | null;
}

/** GET /whoami (JSON or page), GET /old (302 to /new), GET /new, GET /boom (throws). */
export function aboutRoutes(): Router {
  const router = express.Router();

  router.get('/whoami', cgi(), (req, res) => {
    const facts: WhoAmI = {
      ip: req.ip ?? null,
      protocol: req.protocol,
      secure: req.secure,
      hostname: req.hostname ?? null,
      remoteUser: req.remoteUser ?? null,
      scgi: req.cgi !== undefined,
      serverSoftware: req.cgi?.SERVER_SOFTWARE ?? null,
    };
    res.format({
      json: () => res.json(facts),
      html: () => res.send(page('Who am I?', table({ ...facts }))),
    });
  });

  router.get('/old', (_req, res) => res.redirect('/new'));
  router.get('/new', (_req, res) => {
    res.send(page('Moved', '<p>You asked for <code>/old</code> and were redirected here.</p>'));
  });

  router.get('/boom', () => {
    throw new Error('Boom: this route fails on purpose');
  });

  return router;
}
