// Reach the raw CGI variables of the request behind a req, res or socket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SCGI_REQUEST, type ScgiRequestRecord, type ScgiSocket } from './socket-facade.js';

type Carrier = IncomingMessage | ServerResponse | Socket | { socket?: Socket | null } | null | undefined;

/**
 * The CGI variables the front server sent (`REMOTE_USER`, `SCRIPT_NAME`, `DOCUMENT_ROOT`, `HTTPS`, ...),
 * or undefined when the request did not come over SCGI.
 */
export function cgiVariables(from: Carrier): Readonly<Record<string, string>> | undefined {
  return scgiRequest(from)?.env;
}

type RecordCarrier = { [SCGI_REQUEST]?: ScgiRequestRecord };

/**
 * The whole SCGI request record: keyed variables and the ordered pairs with repeats. The request and
 * its response reach it for good; a socket only until the connection closes.
 */
export function scgiRequest(from: Carrier): ScgiRequestRecord | undefined {
  if (from === null || from === undefined) return undefined;
  const own = (from as RecordCarrier)[SCGI_REQUEST];
  if (own !== undefined) return own;
  const req = (from as { req?: IncomingMessage }).req;
  const fromReq = req && (req as RecordCarrier)[SCGI_REQUEST];
  if (fromReq !== undefined) return fromReq;
  return ((from as { socket?: Socket | null }).socket as ScgiSocket | null | undefined)?.[SCGI_REQUEST];
}
