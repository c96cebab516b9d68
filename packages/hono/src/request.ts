// A lightweight Request: method and URL up front; headers, signal and a real Request only when asked for.
import type { RequestBody } from './request-body.js';

/** The Request class of the runtime, captured before any override (see globals.ts). */
export const NativeRequest: typeof Request = globalThis.Request;

const TO_REQUEST = Symbol('scgi-node.toRequest');
const ABORT = Symbol('scgi-node.abort');
const EMPTY = Buffer.alloc(0);
const utf8 = new TextDecoder();

type Init = RequestInit & { duplex?: 'half' };

function unusable(): TypeError {
  return new TypeError('Body is unusable: it has already been read');
}

/** `Headers` from flat `[name, value, ...]`; a value a front server should never send is left out. */
function headersFromRaw(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!); // undici joins repeated `cookie` with '; '
    } catch {}
  }
  return headers;
}

/**
 * Stands in for a Request (its prototype chain is Request's, so `instanceof Request` holds). The fast
 * paths (`url`, `method`, `headers`, `signal`, `text()`, `json()`, `arrayBuffer()`, `blob()`, `bytes()`)
 * never build the real Request; anything else (`body`, `formData()`, `clone()`, `cache`, …) does, once,
 * with the body streamed from the connection.
 */
class LightRequest {
  readonly method: string;
  readonly url: string;
  #rawHeaders: () => readonly string[];
  #body: RequestBody | null;
  #headers: Headers | undefined;
  #real: Request | undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown;
  #aborted = false;
  /** The body was taken by a fast path (so a real Request would have none). */
  #direct = false;

  constructor(method: string, url: string, rawHeaders: () => readonly string[], body: RequestBody | null) {
    this.method = method;
    this.url = url;
    this.#rawHeaders = rawHeaders;
    this.#body = body;
  }

  get headers(): Headers {
    this.#headers ??= this.#real?.headers ?? headersFromRaw(this.#rawHeaders());
    return this.#headers;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#aborted && !this.#controller.signal.aborted) this.#controller.abort(this.#abortReason);
    return this.#controller.signal;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this[TO_REQUEST]().body;
  }

  get bodyUsed(): boolean {
    return this.#direct || (this.#real?.bodyUsed ?? false);
  }

  text(): Promise<string> {
    return this.#real ? this.#real.text() : this.#bytes().then((bytes) => utf8.decode(bytes));
  }

  json(): Promise<unknown> {
    return this.#real ? this.#real.json() : this.text().then(JSON.parse);
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#real) return this.#real.arrayBuffer();
    return this.#bytes().then(
      (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
  }

  bytes(): Promise<Uint8Array> {
    if (this.#real) return this.#real.arrayBuffer().then((buffer) => new Uint8Array(buffer));
    return this.#bytes().then((bytes) => Uint8Array.prototype.slice.call(bytes));
  }

  blob(): Promise<Blob> {
    if (this.#real) return this.#real.blob();
    const type = this.headers.get('content-type') ?? '';
    return this.#bytes().then((bytes) => new Blob([bytes], { type }));
  }

  formData(): Promise<FormData> {
    if (this.#direct) return Promise.reject(unusable());
    return this[TO_REQUEST]().formData();
  }

  clone(): Request {
    if (this.#direct) throw unusable();
    return this[TO_REQUEST]().clone();
  }

  /** The real Request, built once; its body is the connection's stream (or none once read directly). */
  [TO_REQUEST](): Request {
    if (this.#real) return this.#real;
    const init: Init = { method: this.method, headers: this.headers, signal: this.signal };
    if (this.#body !== null && !this.#direct) {
      init.body = this.#body.stream();
      init.duplex = 'half';
    }
    this.#real = new NativeRequest(this.url, init);
    return this.#real;
  }

  /** The peer went away: the signal aborts now, or as soon as someone asks for it. */
  [ABORT](reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  #bytes(): Promise<Buffer> {
    if (this.#direct) return Promise.reject(unusable());
    this.#direct = true;
    if (this.#body === null) return Promise.resolve(EMPTY);
    try {
      return this.#body.bytes();
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/**
 * The runtime's Request, except that a lightweight request given as input is turned into its real one
 * first (Hono's body-limit does `new Request(c.req.raw, { body })`), and a stream body needs no `duplex`.
 */
export class CompatRequest extends NativeRequest {
  constructor(input: ConstructorParameters<typeof Request>[0], init?: RequestInit) {
    const source = input instanceof LightRequest ? input[TO_REQUEST]() : input;
    const body = init?.body as { getReader?: unknown } | null | undefined;
    const withDuplex: Init | undefined =
      typeof body?.getReader === 'function' && !('duplex' in init!) ? { ...init, duplex: 'half' } : init;
    super(source, withDuplex);
  }
}

// Everything Request has that LightRequest does not define goes through the real Request, so a getter
// added by a newer runtime keeps working.
for (const name of Object.getOwnPropertyNames(NativeRequest.prototype)) {
  if (name === 'constructor' || Object.hasOwn(LightRequest.prototype, name)) continue;
  const descriptor = Object.getOwnPropertyDescriptor(NativeRequest.prototype, name)!;
  Object.defineProperty(
    LightRequest.prototype,
    name,
    typeof descriptor.value === 'function'
      ? {
          value(this: LightRequest, ...args: unknown[]) {
            const real = this[TO_REQUEST]() as unknown as Record<string, (...a: unknown[]) => unknown>;
            return real[name]!(...args);
          },
          configurable: true,
          writable: true,
        }
      : {
          get(this: LightRequest) {
            return (this[TO_REQUEST]() as unknown as Record<string, unknown>)[name];
          },
          configurable: true,
        },
  );
}
Object.setPrototypeOf(LightRequest.prototype, CompatRequest.prototype);

/** Build the request a fetch handler sees. `rawHeaders` runs only if the handler reads a header. */
export function createRequest(
  method: string,
  url: string,
  rawHeaders: () => readonly string[],
  body: RequestBody | null,
): Request {
  return new LightRequest(method, url, rawHeaders, body) as unknown as Request;
}

/** Abort a request made by {@link createRequest} (its `signal` fires with `reason`). */
export function abortRequest(request: Request, reason: unknown): void {
  (request as unknown as LightRequest)[ABORT](reason);
}

const STANDARD_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** Fetch's method normalisation: the six standard methods are upper-cased, any other is kept as sent. */
export function normalizeMethod(method: string | undefined): string {
  if (!method) return 'GET';
  if (STANDARD_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return STANDARD_METHODS.has(upper) ? upper : method;
}
