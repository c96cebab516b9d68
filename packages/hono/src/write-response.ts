// Sends a Response to a sink: fixed bodies in one go, streams chunk by chunk with backpressure and cancel.
import type { ReadableStreamReadResult } from 'node:stream/web';
import { planResponse, type ResponsePlan } from './response-head.js';

/** Where a response goes: the SCGI socket itself, or a ServerResponse (the IncomingMessage path). */
export interface ResponseSink {
  /** Head and whole body (or none), and the response is complete. */
  whole(status: number, reason: string, headers: string[], body: string | Uint8Array | null): void;
  /** Head only; a streamed body follows through write() and end(). */
  head(status: number, reason: string, headers: string[]): void;
  /** False when the caller should wait for drained() before writing more. */
  write(chunk: string | Uint8Array): boolean;
  end(): void;
  /** Resolves when the sink can take more, or has closed. */
  drained(): Promise<void>;
  /** The peer went away (or the response is done): nothing more can be sent. */
  readonly closed: boolean;
  /** Calls `listener` if the peer goes away before the response is complete. */
  onAbort(listener: (reason: unknown) => void): void;
  /** The handler wrote its answer through `c.env.outgoing`: `response` is not to be sent. */
  answeredDirectly(response: Response): boolean;
}

/**
 * Send `response` to `sink`. Returns nothing when it was sent at once (string, bytes, null), else a
 * promise that settles when a Blob or stream body is done; it rejects if the body stream fails, after
 * which the caller must cut the connection (the head is out, the length cannot be honoured).
 */
export function sendResponse(response: Response, sink: ResponseSink, isHead: boolean): void | Promise<void> {
  const plan = planResponse(response, isHead);
  const { body } = plan;
  if (body === null || typeof body === 'string' || body instanceof Uint8Array) {
    sink.whole(plan.status, plan.reason, plan.headers, body);
    return;
  }
  if (body instanceof Blob) {
    return body.arrayBuffer().then((buffer) => {
      if (!sink.closed) sink.whole(plan.status, plan.reason, plan.headers, new Uint8Array(buffer));
    });
  }
  return sendStream(plan, body.getReader(), sink);
}

type Chunk = ReadableStreamReadResult<Uint8Array>;

async function sendStream(
  plan: ResponsePlan,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  sink: ResponseSink,
): Promise<void> {
  // The peer left: cancelling the reader tells the app (Hono's stream.onAbort, a stream's cancel()).
  sink.onAbort((reason) => {
    reader.cancel(reason).catch(ignore);
  });
  let pending: Promise<Chunk> | undefined = reader.read();
  if (plan.foreign && plan.lengthUnknown) {
    // A runtime Response (`Response.json()`, a fetch() result) has a stream even for a short fixed body:
    // what is ready by the next turn of the event loop is read first, and if that is all, it goes out
    // with a Content-Length (@hono/node-server does the same).
    const chunks: Uint8Array[] = [];
    for (let reads = 0; reads < 2 && pending !== undefined; reads++) {
      const result = await Promise.race([pending, nextTurn()]);
      if (result === undefined) break;
      if (result.done) {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const headers = [...plan.headers, 'Content-Length', String(body.byteLength)];
        if (!sink.closed) sink.whole(plan.status, plan.reason, headers, body);
        return;
      }
      chunks.push(toBytes(result.value));
      pending = reader.read();
    }
    sink.head(plan.status, plan.reason, plan.headers);
    for (const chunk of chunks) sink.write(chunk);
  } else {
    sink.head(plan.status, plan.reason, plan.headers);
  }
  for (;;) {
    const result = await (pending ?? reader.read());
    pending = undefined;
    if (result.done || sink.closed) break;
    if (!sink.write(toBytes(result.value))) await sink.drained();
    if (sink.closed) break;
  }
  if (!sink.closed) sink.end();
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value);
  throw new TypeError('A response body stream must yield Uint8Array chunks');
}

function nextTurn(): Promise<undefined> {
  return new Promise((resolve) => setImmediate(resolve, undefined));
}

function ignore(): void {}
