// HTTP details every example app offers alike: echo, 204, ETag/304, fixed cookies, CGI variables, aborts.
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import { koaBody } from 'koa-body';

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

const CACHED_TEXT = 'This text carries an ETag: ask again with If-None-Match and get a 304.\n';
const CACHED_ETAG = `"${createHash('sha1').update(CACHED_TEXT).digest('base64url')}"`;

/**
 * `GET /echo/*` (also HEAD) and `POST /echo` (JSON) show what the app received; `GET /empty` is a 204;
 * `GET /cached` has an ETag (the app's conditionalGet answers 304); `GET /cookies/many` sets three fixed
 * cookies; `GET /cgi/*` shows the CGI variables (null off SCGI); `GET /aborts` counts abandoned downloads.
 */
export function protocolRouter(aborts: AbortLog): Router {
  const router = new Router();
  router.get('/echo/*rest', (ctx) => {
    ctx.body = {
      method: ctx.method,
      url: ctx.originalUrl,
      path: decodeURIComponent(ctx.path),
      query: ctx.query,
      host: ctx.get('host') || null,
    };
  });
  router.post('/echo', koaBody({ jsonLimit: '100kb', urlencoded: false, text: false }), (ctx) => {
    ctx.body = { contentType: ctx.get('content-type') || null, body: ctx.request.body ?? null };
  });
  router.get('/empty', (ctx) => {
    ctx.status = 204;
  });
  router.get('/cached', (ctx) => {
    ctx.type = 'text/plain';
    ctx.etag = CACHED_ETAG;
    ctx.body = CACHED_TEXT;
  });
  router.get('/cookies/many', (ctx) => {
    ctx.cookies.set('flavour', 'oatmeal', { httpOnly: false });
    ctx.cookies.set('size', 'large', { httpOnly: true });
    ctx.cookies.set('tray', '3', { httpOnly: false, sameSite: 'lax' });
    ctx.body = { set: ['flavour', 'size', 'tray'] };
  });
  router.get('/cgi/*rest', (ctx) => {
    const variables = ctx.cgi;
    ctx.body = {
      url: ctx.originalUrl,
      protocol: ctx.protocol,
      cgi:
        variables === undefined
          ? null
          : Object.fromEntries(SHOWN_CGI_VARIABLES.map((name) => [name, variables[name] ?? null])),
    };
  });
  router.get('/aborts', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { aborted: aborts.aborted };
  });
  return router;
}
