// `request(target, init)`: an SCGI client. One connection per request, the CGI response head parsed.
import { connect, type Socket } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { envFromRequest } from '../protocol/env-from-request.js';
import { ScgiError } from '../protocol/errors.js';
import { encodeRequestHead } from '../protocol/request-encoder.js';
import { type ResponseHead, ResponseHeadParser } from '../protocol/response-head-parser.js';
import { type ConnectTarget, connectOptions } from './connect-target.js';

export type RequestBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array> | null | undefined;

export interface ScgiRequestInit {
  method?: string;
  /** Raw request target with query, e.g. `/items?id=1`. */
  url?: string;
  headers?: Record<string, string | readonly string[]> | Iterable<readonly [string, string]>;
  body?: RequestBody;
  /** Required to stream a Readable/iterable body without buffering it first. */
  contentLength?: number;
  /** CGI variables to add or override, e.g. `{ HTTPS: 'on', REMOTE_USER: 'ann' }`. */
  env?: Record<string, string>;
  httpVersion?: '1.1' | '1.0';
  signal?: AbortSignal;
  /** Time allowed until the response head has arrived (ms); default 30 s, 0 disables. */
  headTimeoutMs?: number;
}

export interface ScgiResponse extends ResponseHead {
  /** The head as received (latin1), for checks on the wire format. */
  rawHead: string;
  /** The value of a header (case-insensitive); repeats joined with ', '. */
  header(name: string): string | undefined;
  body: Readable;
  buffer(): Promise<Buffer>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export const DEFAULT_HEAD_TIMEOUT_MS = 30_000;

/** Send one SCGI request and resolve with the response once its head has arrived. */
export async function request(target: ConnectTarget, init: ScgiRequestInit = {}): Promise<ScgiResponse> {
  const { body, contentLength } = await prepareBody(init.body, init.contentLength);
  const head = encodeRequestHead(requestVariables(init), contentLength);
  init.signal?.throwIfAborted();
  const socket = connect(connectOptions(target));
  return new Promise<ScgiResponse>((resolve, reject) => {
    const parser = new ResponseHeadParser();
    const received: Buffer[] = [];
    const timeoutMs = init.headTimeoutMs ?? DEFAULT_HEAD_TIMEOUT_MS;
    const timer = timeoutMs > 0 ? setTimeout(() => fail(timeoutError(timeoutMs)), timeoutMs) : undefined;
    const onAbort = () => fail(init.signal!.reason);
    init.signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;

    function fail(error: unknown) {
      socket.destroy(error instanceof Error ? error : undefined);
      settle(() => reject(error));
    }
    function settle(action: () => void) {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      action();
    }
    function onData(chunk: Buffer) {
      received.push(chunk);
      let parsed: ReturnType<ResponseHeadParser['receive']>;
      try {
        parsed = parser.receive(chunk);
      } catch (error) {
        fail(error);
        return;
      }
      if (parsed === null) return;
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      const all = Buffer.concat(received);
      const rawHead = all.toString('latin1', 0, all.length - parsed.rest.length);
      settle(() => resolve(makeResponse(parsed.head, rawHead, parsed.rest, socket, init.signal, onAbort)));
    }
    function onEnd() {
      try {
        parser.finish();
      } catch (error) {
        fail(error);
      }
    }

    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.once('error', (cause: NodeJS.ErrnoException) => {
      if (settled) return;
      fail(
        cause.syscall === 'connect'
          ? new ScgiError('ERR_SCGI_CONNECT', `Cannot connect to SCGI server: ${cause.message}`, { cause })
          : cause,
      );
    });
    socket.write(head);
    if (body === undefined) return;
    if (Buffer.isBuffer(body)) socket.write(body);
    else body.pipe(socket, { end: false });
  });
}

function makeResponse(
  head: ResponseHead,
  rawHead: string,
  rest: Buffer,
  socket: Socket,
  signal: AbortSignal | undefined,
  onAbort: () => void,
): ScgiResponse {
  const body = new PassThrough();
  if (rest.length > 0) body.write(rest);
  socket.pipe(body);
  socket.once('error', (error) => body.destroy(error));
  signal?.removeEventListener('abort', onAbort);
  signal?.addEventListener('abort', () => socket.destroy(signal.reason), { once: true });
  socket.resume();
  const buffer = async () => Buffer.concat(await body.toArray());
  return {
    ...head,
    rawHead,
    header(name) {
      const wanted = name.toLowerCase();
      const values = head.headers.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
      return values.length === 0 ? undefined : values.join(', ');
    },
    body,
    buffer,
    text: async () => (await buffer()).toString('utf8'),
    json: async () => JSON.parse((await buffer()).toString('utf8')) as unknown,
  };
}

/** The request's CGI variables: as nginx would send them, then `init.env` overriding or adding. */
function requestVariables(init: ScgiRequestInit): Array<[string, string]> {
  const variables = envFromRequest({
    method: init.method ?? 'GET',
    url: init.url ?? '/',
    httpVersion: init.httpVersion ?? '1.1',
    rawHeaders: flattenHeaders(init.headers),
    remoteAddress: '127.0.0.1',
    serverName: 'localhost',
  });
  const overrides = init.env ?? {};
  return [...variables.filter(([name]) => !(name in overrides)), ...Object.entries(overrides)];
}

function flattenHeaders(headers: ScgiRequestInit['headers']): string[] {
  const flat: string[] = [];
  if (headers === undefined) return flat;
  const entries = Symbol.iterator in headers ? headers : Object.entries(headers);
  for (const [name, value] of entries as Iterable<readonly [string, string | readonly string[]]>) {
    for (const one of typeof value === 'string' ? [value] : value) flat.push(name, one);
  }
  return flat;
}

async function prepareBody(
  body: RequestBody,
  contentLength: number | undefined,
): Promise<{ body: Buffer | Readable | undefined; contentLength: number }> {
  if (body === null || body === undefined) return { body: undefined, contentLength: 0 };
  if (typeof body === 'string') return fixed(Buffer.from(body));
  if (body instanceof Uint8Array) return fixed(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  if (contentLength !== undefined) {
    return { body: body instanceof Readable ? body : Readable.from(body), contentLength };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return fixed(Buffer.concat(chunks));
}

function fixed(body: Buffer): { body: Buffer; contentLength: number } {
  return { body, contentLength: body.length };
}

function timeoutError(timeoutMs: number): ScgiError {
  return new ScgiError('ERR_SCGI_TIMEOUT', `No SCGI response head within ${timeoutMs} ms`);
}
