// A lightweight Response: string, bytes, Blob, stream or null bodies kept as given, for the writer to send as is.

/** The Response class of the runtime, captured before any override (see globals.ts). */
export const NativeResponse: typeof Response = globalThis.Response;

/** Content-Type of a body sent without one (as @hono/node-server does; Hono's own `text/plain` value). */
export const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

const PARTS = Symbol('scgi-node.responseParts');
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

type HeadersInit = ConstructorParameters<typeof Headers>[0];
type BodyInit = ConstructorParameters<typeof Response>[0];

export type FastBody = string | Uint8Array | Blob | ReadableStream<Uint8Array> | null;

/** What a lightweight response holds until someone needs the real one. */
export interface ResponseParts {
  status: number;
  statusText: string;
  body: FastBody;
  /** As given to the constructor (not yet validated), or a Headers once `headers` was read. */
  headers: HeadersInit | undefined;
}

function isFastBody(body: unknown): body is FastBody {
  return (
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof Blob ||
    typeof (body as ReadableStream | undefined)?.getReader === 'function'
  );
}

/** `Headers` of a lightweight response: the given ones, with the default Content-Type for a body. */
export function materializeHeaders(parts: ResponseParts): Headers {
  if (parts.headers instanceof Headers) return parts.headers;
  const headers = new Headers(parts.headers);
  if (parts.body !== null && !headers.has('content-type')) {
    const blobType = parts.body instanceof Blob ? parts.body.type : '';
    headers.set('content-type', blobType || DEFAULT_CONTENT_TYPE);
  }
  parts.headers = headers;
  return headers;
}

function initFrom(response: Response): ResponseInit {
  return { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) };
}

/**
 * Stands in for a Response (its prototype chain is Response's). `status`, `statusText`, `ok` and
 * `headers` are its own; `body`, `text()`, `clone()` and the rest build the real Response once.
 */
class LightResponse {
  [PARTS]: ResponseParts | undefined;
  #real: Response | undefined;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    // Hono answers HEAD with `new Response(null, getResponse)`: a Response as the init.
    const options = init instanceof NativeResponse ? initFrom(init) : init;
    const content = body ?? null;
    if (!isFastBody(content)) {
      this.#real = new NativeResponse(content, options);
      return;
    }
    const status = options?.status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Response status must be an integer from 200 to 599, got ${status}`);
    }
    if (content !== null && NULL_BODY_STATUS.has(status)) {
      throw new TypeError(`Response with status ${status} cannot have a body`);
    }
    const statusText = options?.statusText ?? '';
    if (!REASON_PHRASE.test(statusText)) throw new TypeError('Invalid Response statusText');
    this[PARTS] = { status, statusText, body: content, headers: options?.headers };
  }

  static json(data: unknown, init?: ResponseInit): Response {
    const body = JSON.stringify(data);
    if (body === undefined) throw new TypeError('Response.json: the data is not JSON serializable');
    const headers = new Headers(init?.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return new LightResponse(body, { ...init, headers }) as unknown as Response;
  }

  static redirect(url: string | URL, status = 302): Response {
    if (!REDIRECT_STATUS.has(status)) throw new RangeError(`Invalid redirect status ${status}`);
    return new LightResponse(null, {
      status,
      headers: { location: new URL(url).href },
    }) as unknown as Response;
  }

  get status(): number {
    return this[PARTS]?.status ?? this.#toReal().status;
  }

  get statusText(): string {
    return this[PARTS]?.statusText ?? this.#toReal().statusText;
  }

  get ok(): boolean {
    const status = this.status;
    return status >= 200 && status < 300;
  }

  get headers(): Headers {
    const parts = this[PARTS];
    return parts === undefined ? this.#toReal().headers : materializeHeaders(parts);
  }

  #toReal(): Response {
    if (this.#real) return this.#real;
    const parts = this[PARTS]!;
    const { status, statusText, body } = parts;
    this.#real = new NativeResponse(body, { status, statusText, headers: materializeHeaders(parts) });
    this[PARTS] = undefined;
    return this.#real;
  }

  // Everything Response has that this class does not define goes through the real Response (a static
  // block, so the delegates can reach #toReal), so a member added by a newer runtime keeps working.
  static {
    for (const name of Object.getOwnPropertyNames(NativeResponse.prototype)) {
      if (name === 'constructor' || Object.hasOwn(LightResponse.prototype, name)) continue;
      const { value } = Object.getOwnPropertyDescriptor(NativeResponse.prototype, name)!;
      Object.defineProperty(
        LightResponse.prototype,
        name,
        typeof value === 'function'
          ? {
              value(this: LightResponse, ...args: unknown[]) {
                const real = this.#toReal() as unknown as Record<string, (...a: unknown[]) => unknown>;
                return real[name]!(...args);
              },
              configurable: true,
              writable: true,
            }
          : {
              get(this: LightResponse) {
                return (this.#toReal() as unknown as Record<string, unknown>)[name];
              },
              configurable: true,
            },
      );
    }
  }
}

Object.setPrototypeOf(LightResponse.prototype, NativeResponse.prototype);
Object.setPrototypeOf(LightResponse, NativeResponse);

/** The Response class installed as the global one (see globals.ts). */
export const CompatResponse = LightResponse as unknown as typeof Response;

/** The parts of a lightweight response not yet turned into a real one; undefined for any other. */
export function responseParts(response: Response): ResponseParts | undefined {
  return (response as unknown as Partial<LightResponse>)[PARTS];
}

/** True for anything this package can send: a runtime Response, or one of another adapter's subclasses. */
export function isResponse(value: unknown): value is Response {
  return value instanceof NativeResponse;
}
