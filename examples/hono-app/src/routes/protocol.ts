// HTTP details every example app offers alike: echo, 204, ETag/304, fixed cookies, CGI variables, aborts.
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { etag } from 'hono/etag';
import { cgiOf } from '../cgi.js';

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

/**
 * `GET /echo/*` (also HEAD) and `POST /echo` (JSON) show what the app received; `GET /empty` is a 204;
 * `GET /cached` has an ETag (hono/etag answers 304); `GET /cookies/many` sets three fixed cookies;
 * `GET /cgi/*` shows the CGI variables (null off SCGI); `GET /aborts` counts abandoned downloads.
 */
export function protocolRoutes(aborts: AbortLog): Hono {
  const routes = new Hono();

  routes.get('/echo/*', (c) => {
    const url = new URL(c.req.url);
    return c.json({
      method: c.req.method,
      url: url.pathname + url.search,
      path: decodeURIComponent(url.pathname),
      query: c.req.query(),
      host: c.req.header('host') ?? null,
    });
  });
  routes.post('/echo', async (c) => {
    const body: unknown = await c.req.json();
    return c.json({ contentType: c.req.header('content-type') ?? null, body });
  });

  routes.get('/empty', (c) => c.body(null, 204));
  routes.get('/cached', etag(), (c) => c.text(CACHED_TEXT));
  routes.get('/cookies/many', (c) => {
    setCookie(c, 'flavour', 'oatmeal', { path: '/' });
    setCookie(c, 'size', 'large', { path: '/', httpOnly: true });
    setCookie(c, 'tray', '3', { path: '/', sameSite: 'Lax' });
    return c.json({ set: ['flavour', 'size', 'tray'] });
  });

  routes.get('/cgi/*', (c) => {
    const variables = cgiOf(c.env);
    const url = new URL(c.req.url);
    return c.json({
      url: url.pathname + url.search,
      protocol: url.protocol.slice(0, -1),
      cgi:
        variables === undefined
          ? null
          : Object.fromEntries(SHOWN_CGI_VARIABLES.map((name) => [name, variables[name] ?? null])),
    });
  });

  routes.get('/aborts', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ aborted: aborts.aborted });
  });
  return routes;
}
