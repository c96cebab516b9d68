// The response side of one SCGI connection: the CGI head and body go straight onto the socket.
import type { Socket } from 'node:net';
import type { ScgiConnection } from '@scgi-node/core/transport';
import { serializeHead } from './response-head.js';
import type { ResponseSink } from './write-response.js';

// A head of ASCII only encodes the same in latin1 and UTF-8, so it can share the body's write.
const NOT_ASCII = /[\u0080-\uffff]/;

/** Writes one response on a connection and ends it; the exchange (a subclass) feeds the request. */
export abstract class SocketSink implements ResponseSink {
  protected readonly socket: Socket;
  /** The response is complete: remaining input is only drained. */
  protected responded = false;
  protected headWritten = false;
  protected socketClosed = false;
  private abortListeners: Array<(reason: unknown) => void> | undefined;
  private drainWaiter: (() => void) | undefined;

  constructor(protected readonly connection: ScgiConnection) {
    this.socket = connection.socket;
  }

  /** The response is complete: stop delivering the request body to anyone. */
  protected abstract dropRequestBody(): void;

  abstract answeredDirectly(response: Response): boolean;

  get closed(): boolean {
    return this.responded || this.socketClosed;
  }

  whole(status: number, reason: string, headers: string[], body: string | Uint8Array | null): void {
    const socket = this.socket;
    const head = serializeHead(status, reason, headers);
    this.headWritten = true;
    if (body === null) {
      socket.write(head, 'latin1');
    } else if (typeof body === 'string' && !NOT_ASCII.test(head)) {
      socket.write(head + body); // one write, one syscall: the common case (c.text, c.json, c.html)
    } else {
      socket.cork(); // head (latin1) and body in one writev; end() uncorks
      socket.write(head, 'latin1');
      socket.write(body);
    }
    this.finish();
  }

  head(status: number, reason: string, headers: string[]): void {
    this.headWritten = true;
    this.socket.write(serializeHead(status, reason, headers), 'latin1');
  }

  write(chunk: string | Uint8Array): boolean {
    return this.socket.write(chunk);
  }

  end(): void {
    this.finish();
  }

  drained(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
    });
  }

  onAbort(listener: (reason: unknown) => void): void {
    if (this.abortListeners === undefined) this.abortListeners = [listener];
    else this.abortListeners.push(listener);
  }

  /** The peer left before the response was complete. */
  protected notifyAbort(reason: unknown): void {
    for (const listener of this.abortListeners ?? []) listener(reason);
  }

  /** The response is complete: the connection closes (see ScgiConnection.responseEnded). */
  protected finish(): void {
    this.responded = true;
    this.dropRequestBody();
    this.connection.responseEnded();
  }

  protected readonly onDrain = (): void => {
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.();
  };
}
