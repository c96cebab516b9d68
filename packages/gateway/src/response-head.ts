// A parsed CGI response head -> the HTTP response head the client gets, with nginx's header handling.
// The protocol entry, not the package root: the CGI bridge uses this file and must not load core's server.
import { type ResponseHead, ScgiError } from '@scgi-node/core/protocol';

/** What the gateway sends the client, and how it frames and buffers the body. */
export interface HttpHead {
  status: number;
  /** undefined: node:http's standard phrase (the backend sent none). */
  statusText: string | undefined;
  /** Flat `[name, value, ...]` in the backend's order, repeats (Set-Cookie) kept. */
  headers: string[];
  /** The backend's Content-Length: the body is cut there, and is truncated if it ends short. */
  contentLength: number | undefined;
  /** `X-Accel-Buffering: yes|no` from the backend (nginx's per-response switch); undefined when absent. */
  buffering: boolean | undefined;
}

// RFC 9110 §7.6.1: connection-specific fields are not forwarded. nginx likewise drops Connection,
// Keep-Alive and Transfer-Encoding from an upstream and frames the body itself; chunk markers from a
// backend that wrongly chunks are passed on as body bytes, as nginx does.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const DECIMAL = /^[0-9]+$/;
const X_ACCEL = 'x-accel-';

function badHead(message: string): ScgiError {
  return new ScgiError('ERR_SCGI_BAD_RESPONSE_HEAD', message);
}

function parseContentLength(value: string, previous: number | undefined): number {
  const length = Number(value);
  if (!DECIMAL.test(value) || !Number.isSafeInteger(length)) {
    throw badHead(`SCGI backend sent an invalid Content-Length ${JSON.stringify(value)}`);
  }
  // RFC 9112 §6.3: differing lengths make the framing unknowable (response splitting).
  if (previous !== undefined && previous !== length) {
    throw badHead(`SCGI backend sent two different Content-Length values (${previous}, ${length})`);
  }
  return length;
}

/**
 * Turn the backend's CGI head into the client's HTTP head. Hop-by-hop fields and the fields a
 * `Connection` header names are dropped; `X-Accel-*` fields are hidden as nginx hides them, and
 * `X-Accel-Buffering` is obeyed. Throws ScgiError (502) for an interim status or a bad Content-Length.
 */
export function httpHeadFromCgi(head: ResponseHead): HttpHead {
  if (head.status < 200) {
    throw new ScgiError(
      'ERR_SCGI_BAD_STATUS',
      `SCGI backend sent the interim status ${head.status} as its response (SCGI has no 1xx responses)`,
    );
  }
  const named = new Set<string>();
  for (const [name, value] of head.headers) {
    if (name.toLowerCase() !== 'connection') continue;
    for (const token of value.split(',')) named.add(token.trim().toLowerCase());
  }
  const headers: string[] = [];
  let contentLength: number | undefined;
  let buffering: boolean | undefined;
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    if (lower.startsWith(X_ACCEL)) {
      if (lower === 'x-accel-buffering') {
        const switchValue = value.toLowerCase();
        buffering = switchValue === 'yes' ? true : switchValue === 'no' ? false : buffering;
      }
      continue;
    }
    if (lower === 'content-length') {
      const repeated = contentLength !== undefined;
      contentLength = parseContentLength(value, contentLength);
      if (repeated) continue;
    }
    headers.push(name, value);
  }
  return {
    status: head.status,
    statusText: head.statusText === '' ? undefined : head.statusText,
    headers,
    contentLength,
    buffering,
  };
}
