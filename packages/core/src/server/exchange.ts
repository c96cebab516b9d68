// One SCGI request as node:http's real IncomingMessage/ServerResponse pair, fed by its connection.
import { IncomingMessage, ServerResponse } from 'node:http';
import { requestFromEnv } from '../protocol/request-from-env.js';
import type { RequestHeadersEvent } from '../protocol/request-parser.js';
import { makeCgiResponse } from './cgi-response.js';
import type { ScgiConnection, ScgiRequestSink } from './connection.js';
import { presentSocket, type ScgiSocket } from './socket-facade.js';

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

/** The request/response pair of one connection; the connection pushes the body, 'finish' ends it. */
export class HttpExchange implements ScgiRequestSink {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;

  constructor(
    private readonly connection: ScgiConnection,
    head: RequestHeadersEvent,
  ) {
    const socket = connection.socket as ScgiSocket;
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
    const res = this.res as unknown as ResponseInternals & { emit(event: 'drain'): boolean };
    if (res.finished || kNeedDrain === undefined || !res[kNeedDrain]) return;
    res[kNeedDrain] = false;
    res.emit('drain');
  }

  close(aborted: boolean): void {
    // The peer left before the response ended: abort the request as node:http does.
    if (aborted && !this.req.destroyed) this.req.destroy(connectionReset());
  }

  private readonly onResponseFinish = (): void => {
    const { req, res } = this;
    // Like node:http: pull an unread body off the wire, so the peer never sees a reset.
    const internals = req as unknown as IncomingInternals;
    if (!internals._consuming && !req.readableFlowing) internals._dump();
    res.detachSocket(this.connection.socket);
    process.nextTick(emitResponseClose, res);
    this.connection.responseEnded();
  };
}

function emitResponseClose(res: ResponseInternals & { emit(event: 'close'): boolean }): void {
  if (res._closed) return;
  res.destroyed = true;
  res._closed = true;
  res.emit('close');
}

function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}
