// The Koa 3 app itself, with no listening: the SCGI and HTTP entry points (and the tests) all serve this.
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cgi } from '@scgi-node/koa';
import Koa from 'koa';
import serve from 'koa-static';
import { conditionalGet, friendlyErrors } from './middleware.js';
import { apiRouter } from './routes/api.js';
import { formsRouter } from './routes/forms.js';
import { pagesRouter } from './routes/pages.js';
import { type AbortLog, protocolRouter } from './routes/protocol.js';
import { streamsRouter } from './routes/streams.js';

/** How {@link createApp} builds the app; every field has a default fit for running it as is. */
export interface AppOptions {
  /** Folder served at `/` (index.html, style.css). Default: the package's `public/`. */
  publicDir?: string;
  /** Where multipart uploads are written while a request is handled. Default: the OS temp folder. */
  uploadDir?: string;
  /** Milliseconds between server-sent ticks on `/stream`. Default: 1000. */
  tickMs?: number;
  /**
   * Trust `X-Forwarded-*` headers (`app.proxy`). Default false: behind nginx, Apache or lighttpd the
   * client's address already arrives as `REMOTE_ADDR`, and HTTPS as `HTTPS=on`.
   */
  proxy?: boolean;
  /** Let Koa log server errors to stderr. Default true. */
  logErrors?: boolean;
}

/** Resolved options, as the route modules receive them, with the app's abort counter. */
export type ResolvedAppOptions = Required<AppOptions> & { aborts: AbortLog };

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

/** Build the app: JSON API, forms, uploads, static files, cookies, redirects, streams and error pages. */
export function createApp(options: AppOptions = {}): Koa {
  const resolved: ResolvedAppOptions = {
    publicDir: options.publicDir ?? PUBLIC_DIR,
    uploadDir: options.uploadDir ?? tmpdir(),
    tickMs: options.tickMs ?? 1000,
    proxy: options.proxy ?? false,
    logErrors: options.logErrors ?? true,
    aborts: { aborted: 0 },
  };
  const app = new Koa({ proxy: resolved.proxy });
  app.silent = !resolved.logErrors;

  app.use(friendlyErrors());
  app.use(cgi()); // ctx.cgi and ctx.state.remoteUser when the request came over SCGI
  app.use(conditionalGet());
  const routers = [
    apiRouter(),
    formsRouter(resolved),
    pagesRouter(),
    streamsRouter(resolved),
    protocolRouter(resolved.aborts),
  ];
  for (const router of routers) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  app.use(serve(resolved.publicDir));
  return app;
}
