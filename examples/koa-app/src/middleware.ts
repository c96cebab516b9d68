// App-wide middleware: a friendly HTML error page for browsers, and 304 answers for fresh responses.
import type { Middleware } from 'koa';

/**
 * Server errors for a browser (a request that prefers HTML) get a friendly page; everything else is
 * rethrown to Koa's own handler, which answers `500 Internal Server Error` in plain text and hides the
 * message. Either way the error reaches `app.on('error')`.
 */
export function friendlyErrors(): Middleware {
  return async function friendlyErrorPage(ctx, next) {
    try {
      await next();
    } catch (error) {
      const status = statusOf(error);
      if (status < 500 || ctx.accepts('json', 'html') !== 'html' || ctx.headerSent) throw error;
      ctx.status = status;
      ctx.type = 'html';
      ctx.body = errorPage(status);
      ctx.app.emit('error', error, ctx);
    }
  };
}

/** What koa-conditional-get does: a `304` (and no body) when the client's copy is still fresh. */
export function conditionalGet(): Middleware {
  return async function conditional(ctx, next) {
    await next();
    if (ctx.fresh) {
      ctx.status = 304;
      ctx.body = null;
    }
  };
}

function statusOf(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function errorPage(status: number): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Something went wrong</title><link rel="stylesheet" href="/style.css"></head>
<body>
<main>
<h1>Something went wrong</h1>
<p>The server could not finish this request (error ${status}). It has been logged; please try again.</p>
<p><a href="/">Back to the start page</a></p>
</main>
</body>
</html>
`;
}
