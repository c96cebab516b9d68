// HTTP details every example app offers alike: echo, 204, ETag/304, fixed cookies, CGI variables, aborts.
import { cgi } from '@scgi-node/express';
import express, { type Router } from 'express';

/** Counts responses the client abandoned before their end (filled by /download, shown by /aborts). */
export interface AbortLog {
  aborted: number;
}

/** The CGI variables /cgi shows: how the web server split the URL, and what it says about the request. */
export const SHOWN_CGI_VARIABLES = [
  'REQUEST_URI',
  'SCRIPT_NAME',
  'PATH_INFO',
  'QUERY_STRING',
  'HTTP_HOST',
  'SERVER_NAME',
  'SERVER_PORT',
  'HTTPS',
  'REQUEST_SCHEME',
  'REMOTE_USER',
] as const;

/** An ETag'd page: Express derives the ETag from the body, and answers 304 to a matching If-None-Match. */
const CACHED_TEXT = 'This text carries an ETag: ask again with If-None-Match and get a 304.\n';

/**
 * `GET /echo/*` (also HEAD) and `POST /echo` (JSON) show what the app received; `GET /empty` is a 204;
 * `GET /cached` has an ETag; `GET /cookies/many` sets three fixed cookies; `GET /cgi/*` shows the CGI
 * variables (null off SCGI); `GET /aborts` tells how many downloads the client abandoned.
 */
export function protocolRoutes(aborts: AbortLog): Router {
  const router = express.Router();

  router.get('/echo/*rest', (req, res) => {
    res.json({
      method: req.method,
      url: req.originalUrl,
      path: decodeURIComponent(req.path),
      query: req.query,
      host: req.get('host') ?? null,
    });
  });
  router.post('/echo', express.json({ limit: '100kb' }), (req, res) => {
    res.json({ contentType: req.get('content-type') ?? null, body: req.body as unknown });
  });

  router.get('/empty', (_req, res) => {
    res.status(204).end();
  });
  router.get('/cached', (_req, res) => {
    res.type('text/plain').send(CACHED_TEXT);
  });
  router.get('/cookies/many', (_req, res) => {
    res.cookie('flavour', 'oatmeal', { path: '/' });
    res.cookie('size', 'large', { path: '/', httpOnly: true });
    res.cookie('tray', '3', { path: '/', sameSite: 'lax' });
    res.json({ set: ['flavour', 'size', 'tray'] });
  });

  router.get('/cgi/*rest', cgi(), (req, res) => {
    const variables = req.cgi;
    const shown =
      variables === undefined
        ? null
        : Object.fromEntries(SHOWN_CGI_VARIABLES.map((name) => [name, variables[name] ?? null]));
    res.json({ url: req.originalUrl, protocol: req.protocol, cgi: shown });
  });

  router.get('/aborts', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ aborted: aborts.aborted });
  });

  return router;
}
