// Builds the real IncomingMessage/ServerResponse pair for one SCGI request on its connection.
import { IncomingMessage, ServerResponse } from 'node:http';
import { requestFromEnv } from '../protocol/request-from-env.js';
import type { RequestHeadersEvent } from '../protocol/request-parser.js';
import { makeCgiResponse } from './cgi-response.js';
import { presentSocket, type ScgiSocket } from './socket-facade.js';

interface IncomingInternals {
  _addHeaderLines(headers: string[], n: number): void;
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/** Node's own response sets `kNeedDrain` when write() returns false; found once by its description. */
export const kNeedDrain: symbol | undefined = Object.getOwnPropertySymbols(
  new ServerResponse(new IncomingMessage(null as never)),
).find((symbol) => symbol.description === 'kNeedDrain');

export function createExchange(socket: ScgiSocket, head: RequestHeadersEvent): Exchange {
  const info = requestFromEnv(head.env, head.pairs);
  presentSocket(socket, info, { env: head.env, pairs: head.pairs });

  const req = new IncomingMessage(socket);
  req.method = info.method;
  req.url = info.url;
  req.httpVersionMajor = info.httpVersionMajor;
  req.httpVersionMinor = info.httpVersionMinor;
  req.httpVersion = info.httpVersionMinor === 0 ? '1.0' : '1.1';
  // Through IncomingMessage's own path, so the lazy `headers`/`headersDistinct` getters see the lines.
  (req as unknown as IncomingInternals)._addHeaderLines(info.rawHeaders, info.rawHeaders.length);

  const res = new ServerResponse(req);
  makeCgiResponse(res);
  res.assignSocket(socket);
  return { req, res };
}
