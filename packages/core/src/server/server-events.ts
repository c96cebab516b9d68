// How an SCGI server reports trouble: a typed event, or stderr when nobody listens for handler failures.
import type { Server, Socket } from 'node:net';
import type { ScgiError } from '../protocol/errors.js';

/** Event emitted on the server for every protocol error, timeout and handler failure. */
export const SCGI_ERROR_EVENT = 'scgiError';

/** Emit `scgiError` on `server`; with no listener, a handler failure still reaches stderr. */
export function reportError(server: Server, error: ScgiError, socket: Socket): void {
  if (server.listenerCount(SCGI_ERROR_EVENT) > 0) {
    server.emit(SCGI_ERROR_EVENT, error, socket);
  } else if (error.code === 'ERR_SCGI_HANDLER_FAILED') {
    // An app's bug must never vanish silently; protocol noise (scanners, aborted peers) may.
    console.error(error);
  }
}
