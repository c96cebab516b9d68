// The Hono example app; it knows nothing of SCGI: src/scgi.ts and src/http.ts decide where it listens.
import { Hono } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { HTTPException } from 'hono/http-exception';
import { apiRoutes } from './routes/api.js';
import { formRoutes } from './routes/forms.js';
import { pageRoutes } from './routes/pages.js';
import { type AbortLog, protocolRoutes } from './routes/protocol.js';
import { streamRoutes } from './routes/streams.js';

export interface AppOptions {
  /** The adapter's conninfo helper (`getConnInfo` of @scgi-node/hono or @hono/node-server), for /whoami. */
  getConnInfo?: GetConnInfo;
  /** Largest accepted upload (bytes); default 32 MiB. */
  maxUploadBytes?: number;
  /** Milliseconds between two /stream ticks (default 1000). */
  tickMs?: number;
  /** Where server errors are reported; default console.error. */
  log?: (message: string, error: unknown) => void;
}

const MiB = 1024 * 1024;

/** Build the app (routes, error handling) without listening. */
export function createApp(options: AppOptions = {}): Hono {
  const log = options.log ?? ((message, error) => console.error(message, error));
  const aborts: AbortLog = { aborted: 0 };
  const app = new Hono();

  app.route('/api', apiRoutes());
  app.route('/', formRoutes(options.maxUploadBytes ?? 32 * MiB));
  app.route('/', pageRoutes(options.getConnInfo));
  app.route('/', streamRoutes({ tickMs: options.tickMs ?? 1000, aborts }));
  app.route('/', protocolRoutes(aborts));

  app.notFound((c) => c.json({ error: `nothing at ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    log(`${c.req.method} ${c.req.path} failed`, error);
    return c.json({ error: 'Something went wrong on our side.' }, 500);
  });
  return app;
}
