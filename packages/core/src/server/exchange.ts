// One SCGI request as node:http's real IncomingMessage/ServerResponse pair, fed by its connection.
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { requestFromEnv } from '../protocol/request-from-env.js';
import type { RequestHeadersEvent } from '../protocol/request-parser.js';
import { makeCgiResponse } from './cgi-response.js';
import type { ScgiConnection, ScgiRequestSink } from './connection.js';
import { presentSocket, SCGI_REQUEST, type ScgiRequestRecord, type ScgiSocket } from './socket-facade.js';

interface IncomingInternals {
  _addHeaderLines(headers: string[], n: number): void;
  _consuming?: boolean;
  _dump(): void;
}

interface ResponseInternals {
  _closed?: boolean;
  finished: boolean;
  destroyed: boolean;
  [key: symbol]: unknown;
}

/** Node's own response sets `kNeedDrain` when write() returns false; found once by its description. */
export const kNeedDrain: symbol | undefined = Object.getOwnPropertySymbols(
  new ServerResponse(new IncomingMessage(null as never)),
).find((symbol) => symbol.description === 'kNeedDrain');

/**
 * The request of one SCGI head as a real IncomingMessage on `socket`, which is presented as the client's
 * (addresses and TLS from the CGI variables). Its body is whatever the caller pushes.
 */
export function createIncoming(socket: Socket, head: RequestHeadersEvent): IncomingMessage {
  const info = requestFromEnv(head.known, head.pairs, head.shape);
  // The head is the record: its `env` is built only if the app asks for it (cgiVariables()).
  const record: ScgiRequestRecord = head;
  presentSocket(socket as ScgiSocket, info, record);
  const req = new IncomingMessage(socket);
  // The request keeps its own reference: the socket's goes when the connection closes.
  (req as IncomingMessage & { [SCGI_REQUEST]?: ScgiRequestRecord })[SCGI_REQUEST] = record;
  req.method = info.method;
  req.url = info.url;
  req.httpVersionMajor = info.httpVersionMajor;
  req.httpVersionMinor = info.httpVersionMinor;
  req.httpVersion = info.httpVersionMinor === 0 ? '1.0' : '1.1';
  // Through IncomingMessage's own path, so the lazy `headers`/`headersDistinct` getters see the lines.
  (req as unknown as IncomingInternals)._addHeaderLines(info.rawHeaders, info.rawHeaders.length);
  return req;
}

/** A real ServerResponse for `req` that writes CGI framing (Status line, no chunking) onto `socket`. */
export function createCgiResponse(req: IncomingMessage, socket: Socket): ServerResponse {
  const res = new ServerResponse(req);
  makeCgiResponse(res);
  res.assignSocket(socket);
  return res;
}

/** Emit 'drain' on a response whose write() returned false, as node:http's connection listener does. */
export function forwardDrain(response: ServerResponse): void {
  const res = response as unknown as ResponseInternals & { emit(event: 'drain'): boolean };
  if (res.finished || kNeedDrain === undefined || !res[kNeedDrain]) return;
  res[kNeedDrain] = false;
  res.emit('drain');
}

/** The request/response pair of one connection; the connection pushes the body, 'finish' ends it. */
export class HttpExchange implements ScgiRequestSink {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;

  constructor(
    private readonly connection: ScgiConnection,
    head: RequestHeadersEvent,
  ) {
    const req = createIncoming(connection.socket, head);
    const res = createCgiResponse(req, connection.socket);
    res.on('finish', this.onResponseFinish);
    this.req = req;
    this.res = res;
  }

  body(chunk: Buffer): boolean {
    return this.req.push(chunk);
  }

  bodyEnd(): void {
    this.req.complete = true;
    this.req.push(null);
  }

  /** Node's own connection listener forwards 'drain' to the response; this one must too. */
  drain(): void {
    forwardDrain(this.res);
  }

  close(aborted: boolean): void {
    // The peer left before the response ended: abort the request as node:http does.
    if (aborted && !this.req.destroyed) this.req.destroy(connectionReset());
  }

  private readonly onResponseFinish = (): void => {
    releaseResponse(this.req, this.res, this.connection.socket);
    this.connection.responseEnded();
  };
}

/**
 * After a response's 'finish': pull an unread body off the wire (as node:http does, so the peer never
 * sees a reset), give the socket back, and emit the response's 'close'.
 */
export function releaseResponse(req: IncomingMessage, res: ServerResponse, socket: Socket): void {
  const internals = req as unknown as IncomingInternals;
  if (!internals._consuming && !req.readableFlowing) internals._dump();
  res.detachSocket(socket);
  process.nextTick(emitResponseClose, res);
}

function emitResponseClose(res: ResponseInternals & { emit(event: 'close'): boolean }): void {
  if (res._closed) return;
  res.destroyed = true;
  res._closed = true;
  res.emit('close');
}

/** The error an IncomingMessage is destroyed with when the peer leaves early (node:http's). */
export function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}
