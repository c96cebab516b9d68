// Small pages: the index, cookies, a redirect, who the client is (from the CGI variables), a failing route.
import { Hono } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { getCookie, setCookie } from 'hono/cookie';
import { cgiOf } from '../cgi.js';

const DAY_S = 24 * 60 * 60;
const INDEX = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>hono-app · Hono over SCGI</title></head>
<body>
<h1>hono-app</h1>
<p>A Hono app served unchanged over SCGI by <code>@scgi-node/hono</code>.</p>
<ul>
<li><a href="/api/items">/api/items</a> a JSON API</li>
<li><a href="/whoami">/whoami</a> the client as the web server saw it, and <code>REMOTE_USER</code></li>
<li><a href="/cookies/set">/cookies/set</a> sets two cookies, then shows <a href="/cookies">/cookies</a></li>
<li><a href="/old">/old</a> redirects to <a href="/new">/new</a></li>
<li><a href="/stream">/stream</a> server-sent events · <a href="/download?bytes=1048576">/download</a> 1 MiB</li>
<li><a href="/boom">/boom</a> fails on purpose · <a href="/echo/caf%C3%A9?q=1">/echo/…</a> what the app received</li>
</ul>
</body>
</html>
`;

/** `GET /`, `/cookies/set`, `/cookies`, `/old` -> `/new`, `/whoami`, `/boom`. */
export function pageRoutes(getConnInfo: GetConnInfo | undefined): Hono {
  const pages = new Hono();

  pages.get('/', (c) => c.html(INDEX));
  pages.get('/cookies/set', (c) => {
    setCookie(c, 'theme', 'dark', { path: '/', maxAge: DAY_S, sameSite: 'Lax' });
    setCookie(c, 'greeting', 'hello', { path: '/', httpOnly: true, sameSite: 'Lax' });
    return c.redirect('/cookies');
  });
  pages.get('/cookies', (c) => c.json({ cookies: getCookie(c) }));
  pages.get('/old', (c) => c.redirect('/new'));
  pages.get('/new', (c) => c.text('This is /new. /old sent you here with a 302.\n'));

  pages.get('/whoami', (c) => {
    const cgi = cgiOf(c.env);
    const url = new URL(c.req.url);
    return c.json({
      ip: getConnInfo?.(c).remote.address ?? null,
      protocol: url.protocol.slice(0, -1),
      url: c.req.url,
      host: c.req.header('host') ?? null,
      remoteUser: cgi?.REMOTE_USER ?? null,
      scgi: cgi !== undefined,
    });
  });

  pages.get('/boom', () => {
    throw new Error('Boom: this route fails on purpose');
  });
  return pages;
}
