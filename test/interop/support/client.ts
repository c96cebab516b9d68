// The HTTP client of the interop tests: one new connection per request, raw header pairs, streamed bodies.
import { createHash } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';

/** What the client saw: status, reason, header pairs in wire order (names lower-cased), and the body. */
export interface Exchange {
  status: number;
  statusMessage: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** A request: the path is sent as is (percent-encode it), `headers` as given, `body` with its length. */
export interface Outgoing {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Send the body with `Transfer-Encoding: chunked` (64 KiB chunks) instead of a Content-Length. */
  chunked?: boolean;
}

/** A streamed response's head, with its body's size and SHA-256 instead of the bytes. */
export interface StreamedExchange extends Omit<Exchange, 'body'> {
  size: number;
  sha256: string;
}

const REQUEST_TIMEOUT_MS = 90_000;

function pairsOf(response: IncomingMessage): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    pairs.push([response.rawHeaders[i]!.toLowerCase(), response.rawHeaders[i + 1]!]);
  }
  return pairs;
}

/** Open the request and resolve with the response head (the body is left to the caller). */
export function open(port: number, outgoing: Outgoing): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers = { ...outgoing.headers };
    if (outgoing.body !== undefined) {
      if (outgoing.chunked) headers['Transfer-Encoding'] = 'chunked';
      else headers['Content-Length'] = String(outgoing.body.length);
    }
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: outgoing.method ?? 'GET',
        path: outgoing.path,
        headers,
        agent: false,
      },
      resolve,
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.once('error', reject);
    if (outgoing.chunked && outgoing.body !== undefined) {
      for (let at = 0; at < outgoing.body.length; at += 64 * 1024)
        req.write(outgoing.body.subarray(at, at + 64 * 1024));
      req.end();
    } else {
      req.end(outgoing.body);
    }
  });
}

/** Send a request and read the whole response. */
export async function send(port: number, outgoing: Outgoing): Promise<Exchange> {
  const response = await open(port, outgoing);
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return {
    status: response.statusCode ?? 0,
    statusMessage: response.statusMessage ?? '',
    headers: pairsOf(response),
    body: Buffer.concat(chunks),
  };
}

/** Send a request and hash the response body as it streams in (for bodies too big to keep). */
export async function sendStreamed(port: number, outgoing: Outgoing): Promise<StreamedExchange> {
  const response = await open(port, outgoing);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of response) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return {
    status: response.statusCode ?? 0,
    statusMessage: response.statusMessage ?? '',
    headers: pairsOf(response),
    size,
    sha256: hash.digest('hex'),
  };
}

/** Read at least `afterBytes` of the body, then drop the connection. Resolves with what was received. */
export async function abandon(port: number, outgoing: Outgoing, afterBytes: number): Promise<number> {
  const response = await open(port, outgoing);
  let received = 0;
  return new Promise((resolve, reject) => {
    response.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= afterBytes) {
        response.destroy(); // closes the socket: the client walked away mid-body
        resolve(received);
      }
    });
    response.once('end', () => reject(new Error(`the body ended after ${received} bytes, before the abort`)));
    response.once('error', (error) => {
      if (received < afterBytes) reject(error);
    });
  });
}

/** The head and first server-sent event of a stream, and whether the stream was still open then. */
export interface FirstEvent extends Omit<Exchange, 'body'> {
  firstEvent: string;
  /** true when the response had not ended when the first event arrived (the app still held it open). */
  stillOpen: boolean;
}

/** Read a text/event-stream until its first event (`\n\n`), note whether it is still open, then leave. */
export async function firstEvent(port: number, outgoing: Outgoing): Promise<FirstEvent> {
  const response = await open(port, outgoing);
  const head = {
    status: response.statusCode ?? 0,
    statusMessage: response.statusMessage ?? '',
    headers: pairsOf(response),
  };
  return new Promise((resolve, reject) => {
    let text = '';
    let ended = false;
    response.setEncoding('utf8');
    response.once('end', () => {
      ended = true;
    });
    response.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\n\n');
      if (end === -1) return;
      // 'end' comes after the last 'data' in a later tick: checked here, it tells if more may follow.
      const stillOpen = !ended && !response.complete;
      response.destroy();
      resolve({ ...head, firstEvent: text.slice(0, end), stillOpen });
    });
    response.once('end', () =>
      reject(new Error(`the stream ended without an event: ${JSON.stringify(text)}`)),
    );
    response.once('error', reject);
  });
}
