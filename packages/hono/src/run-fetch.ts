// Runs the fetch handler for one request and sends what it returns; failures go to the caller's handler.
import type { ScgiEnv } from './env.js';
import { isResponse, responseParts } from './response.js';
import { type ResponseSink, sendResponse } from './write-response.js';

/**
 * A fetch handler: Hono's `app.fetch`, or any `(request, env) => Response | Promise<Response>`.
 * `env` is Hono's `c.env`: the CGI variables and your bindings (see {@link ScgiEnv}).
 */
export type FetchHandler<Env = ScgiEnv> = (
  request: Request,
  env: Env,
) => Response | Promise<Response> | unknown | Promise<unknown>;

/** Call `fetch`, send its response to `sink`; `fail` gets a throw, a rejection or a broken body stream. */
export function runFetch<Env>(
  fetch: FetchHandler<Env>,
  request: Request,
  env: Env,
  sink: ResponseSink,
  isHead: boolean,
  fail: (cause: unknown) => void,
): void {
  let result: unknown;
  try {
    result = fetch(request, env);
  } catch (error) {
    fail(error);
    return;
  }
  if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
    (result as PromiseLike<unknown>).then((response) => respond(response, sink, isHead, fail), fail);
  } else {
    respond(result, sink, isHead, fail);
  }
}

function respond(
  response: unknown,
  sink: ResponseSink,
  isHead: boolean,
  fail: (cause: unknown) => void,
): void {
  if (!isResponse(response)) {
    fail(new TypeError(`The fetch handler returned ${describe(response)} instead of a Response`));
    return;
  }
  if (sink.answeredDirectly(response)) return; // through c.env.outgoing, as with @hono/node-server
  if (sink.closed) {
    cancelBody(response); // the peer left while the handler ran: stop a stream's producer
    return;
  }
  let sending: void | Promise<void>;
  try {
    sending = sendResponse(response, sink, isHead);
  } catch (error) {
    fail(error);
    return;
  }
  sending?.catch(fail);
}

function cancelBody(response: Response): void {
  const parts = responseParts(response);
  const body = parts === undefined ? response.body : parts.body;
  if (
    body !== null &&
    typeof (body as ReadableStream).cancel === 'function' &&
    !(body as ReadableStream).locked
  ) {
    (body as ReadableStream).cancel().catch(() => {});
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : `a ${typeof value}`;
}
