// The fetch driver for core's SCGI connection: the request head becomes a Request, the Response goes to the socket.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScgiError } from '@scgi-node/core';
import { type RequestHeadersEvent, requestFromEnv } from '@scgi-node/core/protocol';
import {
  connectionReset,
  reportError,
  type ScgiConnection,
  type ScgiDriver,
  type ScgiRequestSink,
} from '@scgi-node/core/transport';
import { makeEnv } from './env.js';
import { INTERNAL_ERROR_BODY, INTERNAL_ERROR_HEAD } from './internal-error.js';
import { ENV_PROTOTYPE, isAlreadySent, type NodeBindingsSource } from './node-bindings.js';
import { NodePair, type NodePairHost } from './node-pair.js';
import { abortRequest, createRequest, normalizeMethod } from './request.js';
import { RequestBody } from './request-body.js';
import { hrefFromEnv } from './request-url.js';
import { type FetchHandler, runFetch } from './run-fetch.js';
import { SocketSink } from './socket-sink.js';

/** What the requests of one server share. */
export interface FetchDriverOptions {
  readonly fetch: FetchHandler<unknown>;
  readonly bindings: object | undefined;
}

/** Each request on `serve`'s connections runs `fetch` (see {@link FetchExchange}). */
export function fetchDriver(options: FetchDriverOptions): ScgiDriver {
  return {
    open: (connection, head) => new FetchExchange(connection, head, options),
    // Each env is made with the accessors of c.env.incoming/outgoing: nothing to add per request.
    envPrototype: ENV_PROTOTYPE,
  };
}

/** One request per connection (SCGI): the exchange is both the request's body sink and the response's. */
export class FetchExchange extends SocketSink implements ScgiRequestSink, NodeBindingsSource, NodePairHost {
  private readonly requestBody: RequestBody | undefined;
  private readonly request: Request;
  private readonly isHead: boolean;
  /** `c.env.incoming`/`outgoing`, once the handler reads one of them. */
  private nodePair: NodePair | undefined;
  /** The body goes to `c.env.incoming` (the handler read that instead of the Request's body). */
  private bodyTarget: IncomingMessage | undefined;

  constructor(
    connection: ScgiConnection,
    private readonly requestHead: RequestHeadersEvent,
    private readonly options: FetchDriverOptions,
  ) {
    super(connection);
    const { env, pairs, shape } = requestHead;
    const url = hrefFromEnv(env); // a bad URL throws before any handler runs: a protocol error reply
    if (requestHead.contentLength > 0) {
      const socket = connection.socket;
      this.requestBody = new RequestBody({ pause: () => socket.pause(), resume: () => socket.resume() });
    }
    const method = normalizeMethod(env.REQUEST_METHOD);
    this.isHead = method === 'HEAD';
    const body = method === 'GET' || this.isHead ? null : (this.requestBody ?? null);
    this.request = createRequest(method, url, () => requestFromEnv(env, pairs, shape).rawHeaders, body);
  }

  body(chunk: Buffer): boolean {
    if (this.bodyTarget !== undefined) return this.responded || this.bodyTarget.push(chunk);
    this.requestBody?.push(chunk); // the body pauses and resumes the socket itself
    return true;
  }

  bodyEnd(): void {
    const target = this.bodyTarget;
    if (target === undefined) {
      this.requestBody?.end();
    } else if (!this.responded) {
      target.complete = true;
      target.push(null);
    }
  }

  start(): void {
    const { fetch, bindings } = this.options;
    runFetch(
      fetch,
      this.request,
      makeEnv(this.requestHead.env, bindings, this),
      this,
      this.isHead,
      this.onHandlerError,
    );
  }

  incoming(): IncomingMessage {
    return this.pair().incoming();
  }

  outgoing(): ServerResponse {
    return this.pair().outgoing();
  }

  private pair(): NodePair {
    this.nodePair ??= new NodePair(this, this.connection, this.requestHead);
    return this.nodePair;
  }

  untakenBody(): RequestBody | undefined {
    const body = this.requestBody;
    return body === undefined || body.disturbed ? undefined : body;
  }

  bodyMovedTo(incoming: IncomingMessage): void {
    this.bodyTarget = incoming;
  }

  outgoingFinished(): void {
    if (!this.responded) this.finish();
  }

  /** The handler answered through `c.env.outgoing`: its returned Response is not sent. */
  answeredDirectly(response: Response): boolean {
    const pair = this.nodePair;
    if (!pair?.outgoingUsed) return false;
    return pair.outgoingStarted || isAlreadySent(response);
  }

  drain(): void {
    this.onDrain();
    this.nodePair?.drain();
  }

  close(aborted: boolean): void {
    this.socketClosed = true;
    this.onDrain();
    if (!aborted) return;
    // The peer left before the response was complete: abort the request as node:http does.
    const reason = new DOMException(
      'The SCGI connection closed before the response was complete',
      'AbortError',
    );
    abortRequest(this.request, reason);
    this.requestBody?.fail(reason);
    this.nodePair?.abort(connectionReset());
    this.notifyAbort(reason);
  }

  protected dropRequestBody(): void {
    this.requestBody?.discard();
  }

  private readonly onHandlerError = (cause: unknown): void => {
    const request = this.request;
    const error = new ScgiError(
      'ERR_SCGI_HANDLER_FAILED',
      `Fetch handler failed for ${request.method} ${request.url}`,
      { cause },
    );
    reportError(this.connection.server, error, this.socket);
    if (this.closed) return;
    if (this.headWritten) {
      this.socket.destroy(); // the head is out: a cut connection is the only honest end
      return;
    }
    const headers = [...INTERNAL_ERROR_HEAD, 'Content-Length', String(INTERNAL_ERROR_BODY.length)];
    this.whole(500, 'Internal Server Error', headers, INTERNAL_ERROR_BODY);
  };
}
