// CGI variables -> the HTTP request an app expects (RFC 3875 §4.1), shared by every adapter.
import { headerNameFromVariable } from './cgi-names.js';
import type { KnownVariableName } from './known-variables.js';
import type { HeadShape } from './request-head.js';

/**
 * The variables the mapping reads: a request's `env` record, or the parser's `known` (the same names,
 * picked out while decoding, which spares building the record).
 */
export type CgiVariableSource = Readonly<Partial<Record<KnownVariableName, string>>>;

/** What an adapter needs to present a request: pure data, no sockets. */
export interface RequestFromEnv {
  method: string;
  url: string;
  httpVersionMajor: 1;
  httpVersionMinor: 0 | 1;
  /** Flat `[name, value, ...]` in wire order, names lower-case, repeats kept. */
  rawHeaders: string[];
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  remoteFamily: 'IPv4' | 'IPv6' | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
  /** The front server spoke TLS to the client (`HTTPS=on|1` or `REQUEST_SCHEME=https`). */
  encrypted: boolean;
}

// nginx forwards `Transfer-Encoding: chunked` for a body it has already de-chunked, and the body's real
// length and type are CONTENT_LENGTH / CONTENT_TYPE; the HTTP_ copies would contradict or duplicate them.
const DROPPED_HEADERS = new Set(['content-length', 'content-type', 'transfer-encoding']);
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Which variables of a head are request headers: by their names alone, so heads of one shape share it. */
export interface HeaderPlan {
  /** The header names, lower-case, in wire order, repeats kept. */
  readonly names: readonly string[];
  /** Where each one's value is in the head's pairs. */
  readonly valueIndexes: readonly number[];
  /** The client sent Content-Length or Transfer-Encoding (the head's CONTENT_LENGTH is then shown). */
  readonly framed: boolean;
}

function headerPlan(pairs: readonly string[]): HeaderPlan {
  const names: string[] = [];
  const valueIndexes: number[] = [];
  let framed = false;
  for (let i = 0; i < pairs.length; i += 2) {
    const name = headerNameFromVariable(pairs[i]!);
    if (name === undefined) continue;
    if (DROPPED_HEADERS.has(name)) {
      if (name !== 'content-type') framed = true;
      continue;
    }
    names.push(name);
    valueIndexes.push(i + 1);
  }
  return { names, valueIndexes, framed };
}

/**
 * Map one SCGI request's variables (`pairs` in wire order, `env` by name) to the request an app sees.
 * With the head's `shape`, which headers there are is worked out once for every head of that shape.
 */
export function requestFromEnv(
  env: CgiVariableSource,
  pairs: readonly string[],
  shape?: HeadShape,
): RequestFromEnv {
  const method = env.REQUEST_METHOD || 'GET';
  let plan = shape?.headerPlan;
  if (plan === undefined) {
    plan = headerPlan(pairs);
    if (shape !== undefined) shape.headerPlan = plan;
  }
  const { names, valueIndexes } = plan;
  const rawHeaders: string[] = [];
  for (let i = 0; i < names.length; i++) rawHeaders.push(names[i]!, pairs[valueIndexes[i]!]!);
  const contentType = env.CONTENT_TYPE;
  if (contentType) rawHeaders.push('content-type', contentType);
  const contentLength = env.CONTENT_LENGTH ?? '0';
  // Node shows content-length only when the client framed a body; a GET from nginx still carries
  // CONTENT_LENGTH=0, and body parsers would take that for an (empty) body.
  if (contentLength !== '0' || plan.framed || METHODS_WITH_BODY.has(method)) {
    rawHeaders.push('content-length', contentLength);
  }
  const protocol = env.SERVER_PROTOCOL;
  const remoteAddress = env.REMOTE_ADDR || undefined;
  return {
    method,
    url: requestUrl(env),
    httpVersionMajor: 1,
    // HTTP/2 and HTTP/3 are shown as 1.1: frameworks take HTTP/2 code paths (`:authority`) otherwise.
    httpVersionMinor: protocol === 'HTTP/1.0' || protocol === 'HTTP/0.9' ? 0 : 1,
    rawHeaders,
    remoteAddress,
    remotePort: toPort(env.REMOTE_PORT),
    remoteFamily: remoteAddress === undefined ? undefined : remoteAddress.includes(':') ? 'IPv6' : 'IPv4',
    localAddress: env.SERVER_ADDR || undefined,
    localPort: toPort(env.SERVER_PORT),
    encrypted: isHttps(env),
  };
}

/** `REQUEST_URI` (raw, with query) when sent; else `SCRIPT_NAME + PATH_INFO + ?QUERY_STRING` (RFC 3875). */
export function requestUrl(env: CgiVariableSource): string {
  const uri = env.REQUEST_URI;
  if (uri) return uri;
  const path = (env.SCRIPT_NAME ?? '') + (env.PATH_INFO ?? '');
  const query = env.QUERY_STRING;
  return (path || '/') + (query ? `?${query}` : '');
}

export function isHttps(env: CgiVariableSource): boolean {
  const https = env.HTTPS;
  return https === '1' || sameLetters(https, 'on') || sameLetters(env.REQUEST_SCHEME, 'https');
}

/** `value` is `lowerCase` in any case, with no lower-cased copy when it is already lower case. */
function sameLetters(value: string | undefined, lowerCase: string): boolean {
  if (value === undefined || value.length !== lowerCase.length) return false;
  return value === lowerCase || value.toLowerCase() === lowerCase;
}

function toPort(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const port = Number(value);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}
