// The Express 5 example app; it knows nothing of SCGI: src/scgi.ts and src/http.ts decide where it listens.
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import { errorHandler, notFound } from './errors.js';
import { aboutRoutes } from './routes/about.js';
import { apiRoutes } from './routes/api.js';
import { cookieRoutes } from './routes/cookies.js';
import { formRoutes } from './routes/forms.js';
import { type AbortLog, protocolRoutes } from './routes/protocol.js';
import { streamRoutes } from './routes/streams.js';

export interface AppOptions {
  /** Folder served at `/` (default: this package's `public/`). */
  publicDir?: string;
  /** Secret for signed cookies (default: `COOKIE_SECRET` from the environment, else a development value). */
  cookieSecret?: string;
  /** Largest accepted upload (bytes); default 32 MiB. */
  maxUploadBytes?: number;
  /** Largest /download (bytes); default 100 MiB. */
  maxDownloadBytes?: number;
  /** SSE ticks sent by /stream (default 5) and the time between them (ms, default 1000). */
  ticks?: number;
  tickMs?: number;
  /** Where server errors are reported; default console.error. */
  log?: (message: string, error: unknown) => void;
}

const DEFAULT_PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
const MiB = 1024 * 1024;

/** Build the app (routes, middleware, error handling) without listening. */
export function createApp(options: AppOptions = {}): Express {
  const app = express();
  const aborts: AbortLog = { aborted: 0 };
  app.disable('x-powered-by');

  app.use(express.static(options.publicDir ?? DEFAULT_PUBLIC_DIR));
  app.use(cookieParser(options.cookieSecret ?? process.env.COOKIE_SECRET ?? 'development-only-secret'));

  app.use('/api', apiRoutes());
  app.use(formRoutes(options.maxUploadBytes ?? 32 * MiB));
  app.use('/cookies', cookieRoutes());
  app.use(
    streamRoutes({
      ticks: options.ticks ?? 5,
      tickMs: options.tickMs ?? 1000,
      maxDownloadBytes: options.maxDownloadBytes ?? 100 * MiB,
      aborts,
    }),
  );
  app.use(aboutRoutes());
  app.use(protocolRoutes(aborts));

  app.use(notFound);
  app.use(errorHandler(options.log ?? ((message, error) => console.error(message, error))));
  return app;
}
