// Small pages: cookies, a redirect, who the client is (via the CGI variables), and a route that fails.
import Router from '@koa/router';

/** `/cookies/set`, `/cookies`, `/old` -> `/new`, `/whoami`, `/boom`. */
export function pagesRouter(): Router {
  const router = new Router();
  router.get('/cookies/set', (ctx) => {
    const theme = typeof ctx.query.theme === 'string' ? ctx.query.theme : 'dark';
    ctx.cookies.set('theme', theme, { httpOnly: false, sameSite: 'lax', maxAge: 86_400_000 });
    ctx.cookies.set('greeting', 'hello', { sameSite: 'lax' });
    ctx.redirect('/cookies');
  });
  router.get('/cookies', (ctx) => {
    ctx.body = {
      theme: ctx.cookies.get('theme') ?? null,
      greeting: ctx.cookies.get('greeting') ?? null,
    };
  });
  router.get('/old', (ctx) => {
    ctx.status = 301; // permanent; ctx.redirect() keeps a redirect status already set
    ctx.redirect('/new');
  });
  router.get('/new', (ctx) => {
    ctx.body = 'This is /new. /old sent you here with a 301.\n';
  });
  router.get('/whoami', (ctx) => {
    ctx.body = {
      ip: ctx.ip,
      protocol: ctx.protocol,
      secure: ctx.secure,
      host: ctx.host,
      httpVersion: ctx.req.httpVersion,
      remoteUser: ctx.state.remoteUser ?? null,
      viaScgi: ctx.cgi !== undefined,
    };
  });
  router.get('/boom', () => {
    throw new Error('boom: this route always fails');
  });
  return router;
}
