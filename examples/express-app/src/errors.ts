// The app's own 404 and error handlers: a JSON body for API callers, a rendered page for browsers.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { escapeHtml, page } from './html.js';

interface HttpError extends Error {
  status?: number;
  statusCode?: number;
  /** Set by body-parser and http-errors: the message is safe to show to the client. */
  expose?: boolean;
  /** multer's error code, e.g. LIMIT_FILE_SIZE. */
  code?: string;
}

function statusOf(error: HttpError): number {
  if (error.code === 'LIMIT_FILE_SIZE') return 413;
  const status = error.status ?? error.statusCode;
  return status !== undefined && status >= 400 && status < 600 ? status : 500;
}

/** The last route: nothing matched, so a 404 as JSON or as a page, whichever the client accepts. */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).format({
    json: () => res.json({ error: `nothing at ${req.method} ${req.path}` }),
    html: () => res.send(page('Not found', `<p>Nothing at <code>${escapeHtml(req.path)}</code>.</p>`)),
  });
};

/** Renders every failure as a 4xx/5xx; server errors are logged with `log` and never shown in detail. */
export function errorHandler(log: (message: string, error: unknown) => void): ErrorRequestHandler {
  return (error: HttpError, req, res, next) => {
    if (res.headersSent) {
      next(error); // Express's default handler closes the connection of a half-sent response.
      return;
    }
    const status = statusOf(error);
    if (status >= 500) log(`${req.method} ${req.originalUrl} failed`, error);
    const message =
      status < 500 && error.expose !== false ? error.message : 'Something went wrong on our side.';
    res.status(status).format({
      json: () => res.json({ error: message }),
      html: () => res.send(page(`Error ${status}`, `<p>${escapeHtml(message)}</p>`)),
    });
  };
}
