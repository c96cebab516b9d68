// The SCGI request as node:http's own objects, for `c.env.incoming`/`outgoing` under `serve`: made on demand.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHeadersEvent } from '@scgi-node/core/protocol';
import {
  createCgiResponse,
  createIncoming,
  forwardDrain,
  releaseResponse,
  type ScgiConnection,
} from '@scgi-node/core/transport';
import type { NodeBindingsSource } from './node-bindings.js';
import type { RequestBody } from './request-body.js';

/** What the pair needs from its exchange. */
export interface NodePairHost {
  /** The Request's body, still unread by the handler, or undefined (none, or already taken). */
  untakenBody(): RequestBody | undefined;
  /** The body now flows to `incoming` instead of the Request. */
  bodyMovedTo(incoming: IncomingMessage): void;
  /** `outgoing` finished: the response is complete. */
  outgoingFinished(): void;
}

/**
 * A real IncomingMessage and ServerResponse on the SCGI socket, built by core as its own node:http path
 * builds them (the socket presented as the client's, CGI framing on the response). `incoming` is built on
 * first read; its body is the request's only if the handler reads `incoming` before the Request's body
 * (a stream is read once). `outgoing` writes straight to the socket; the handler then returns
 * `RESPONSE_ALREADY_SENT`.
 */
export class NodePair implements NodeBindingsSource {
  private incomingMessage: IncomingMessage | undefined;
  private serverResponse: ServerResponse | undefined;

  constructor(
    private readonly host: NodePairHost,
    private readonly connection: ScgiConnection,
    private readonly head: RequestHeadersEvent,
  ) {}

  /** Whether the handler has read `outgoing` (its `RESPONSE_ALREADY_SENT` means something then). */
  get outgoingUsed(): boolean {
    return this.serverResponse !== undefined;
  }

  get outgoingStarted(): boolean {
    const res = this.serverResponse;
    return res !== undefined && (res.headersSent || res.writableEnded);
  }

  incoming(): IncomingMessage {
    if (this.incomingMessage !== undefined) return this.incomingMessage;
    const { connection, head } = this;
    const req = createIncoming(connection.socket, head);
    this.incomingMessage = req;
    if (head.contentLength === 0) {
      req.complete = true;
      req.push(null);
      return req;
    }
    // The body moves here at the first read of `incoming` (its _read), not at its first access: a
    // middleware reading `incoming.socket` must not take the body from a handler that calls c.req.json().
    const nodeRead = req._read;
    req._read = (size: number) => {
      req._read = nodeRead;
      this.moveBody(req);
      nodeRead.call(req, size);
    };
    return req;
  }

  outgoing(): ServerResponse {
    if (this.serverResponse !== undefined) return this.serverResponse;
    const req = this.incoming();
    const socket = this.connection.socket;
    const res = createCgiResponse(req, socket);
    res.on('finish', () => {
      releaseResponse(req, res, socket);
      this.host.outgoingFinished();
    });
    this.serverResponse = res;
    return res;
  }

  drain(): void {
    if (this.serverResponse !== undefined) forwardDrain(this.serverResponse);
  }

  /** The peer left before the response ended: as node:http, the request is destroyed. */
  abort(error: Error): void {
    const req = this.incomingMessage;
    if (req !== undefined && !req.destroyed) req.destroy(error);
  }

  private moveBody(req: IncomingMessage): void {
    const body = this.host.untakenBody();
    if (body === undefined) {
      // Read through the Request already: a stream is read once (so in @hono/node-server too).
      req.complete = true;
      req.push(null);
      return;
    }
    this.host.bodyMovedTo(req);
    body.moveTo({
      push: (chunk) => req.push(chunk),
      end: () => {
        req.complete = true;
        req.push(null);
      },
      fail: (error) => req.destroy(error),
    });
  }
}
