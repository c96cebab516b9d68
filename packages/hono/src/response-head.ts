// A Response as a CGI head: status and reason, header lines (hop-by-hop dropped, Set-Cookie kept apart), length.
import { STATUS_CODES } from 'node:http';
import { DEFAULT_CONTENT_TYPE, type FastBody, responseParts } from './response.js';

/** What goes on the wire for one Response. */
export interface ResponsePlan {
  status: number;
  reason: string;
  /** Flat `[name, value, ...]`, in the order given; one entry per Set-Cookie. */
  headers: string[];
  /** The body to send: null for none (and always null for HEAD, 204 and 304). */
  body: FastBody;
  /** The response set no Content-Length and none could be computed (a stream). */
  lengthUnknown: boolean;
  /** The response is not one of ours: its stream body may well be a short fixed one. */
  foreign: boolean;
}

// The response ends when the connection closes: framing and connection headers would only mislead the
// front server (nginx would pass chunk markers through as body). RFC 3875 §6.3.
const HOP_BY_HOP = new Set(['transfer-encoding', 'connection', 'keep-alive']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function checkedField(name: string, value: unknown): string {
  const text = String(value);
  if (!TOKEN.test(name)) throw new TypeError(`Invalid response header name ${JSON.stringify(name)}`);
  if (!FIELD_VALUE.test(text)) throw new TypeError(`Invalid value for response header ${name}`);
  return text.trim();
}

function bodyLength(body: FastBody): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  if (body instanceof Blob) return body.size;
  return undefined;
}

/** No body may follow the head (RFC 9110 §6.4.1); a HEAD response gets the GET one's headers only. */
export function bodyless(status: number, isHead: boolean): boolean {
  return isHead || status === 204 || status === 304;
}

/**
 * Plan the wire form of `response`. Throws a TypeError for a header a lightweight response was given
 * that is not valid HTTP (Headers objects are checked when filled).
 */
export function planResponse(response: Response, isHead: boolean): ResponsePlan {
  const parts = responseParts(response);
  const status = parts?.status ?? response.status;
  const statusText = parts?.statusText ?? response.statusText;
  let body: FastBody = parts === undefined ? response.body : parts.body;
  const init = parts === undefined ? response.headers : parts.headers;
  const headers: string[] = [];
  let hasType = false;
  let hasLength = false;
  const add = (name: string, value: string): void => {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) return;
    if (lower === 'content-type') hasType = true;
    else if (lower === 'content-length') hasLength = true;
    headers.push(name, value);
  };
  if (init instanceof Headers) {
    for (const [name, value] of init) add(name, value);
  } else if (Array.isArray(init)) {
    for (const [name, value] of init as [string, string][]) add(name, checkedField(name, value));
  } else if (init !== undefined) {
    const record = init as Record<string, unknown>;
    for (const name of Object.keys(record)) add(name, checkedField(name, record[name]));
  }
  if (body !== null && !hasType) {
    headers.push('Content-Type', (body instanceof Blob && body.type) || DEFAULT_CONTENT_TYPE);
  }
  const length = hasLength || status === 204 || status === 304 ? undefined : bodyLength(body);
  if (length !== undefined) headers.push('Content-Length', String(length));
  if (body !== null && bodyless(status, isHead)) {
    if (typeof (body as ReadableStream).cancel === 'function')
      (body as ReadableStream).cancel().catch(ignore);
    body = null;
  }
  return {
    status,
    reason: statusText || STATUS_CODES[status] || 'Unknown',
    headers,
    body,
    lengthUnknown: body !== null && !hasLength && length === undefined,
    foreign: parts === undefined,
  };
}

/** `Status: 200 OK\r\n` + header lines + blank line (latin1: header values are byte strings). */
export function serializeHead(status: number, reason: string, headers: readonly string[]): string {
  let head = `Status: ${status} ${reason}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}\r\n`;
}

function ignore(): void {}
