// Makes a ServerResponse speak CGI (RFC 3875 §6): a Status line, no chunking, no connection headers.
import { ServerResponse } from 'node:http';

interface OutgoingInternals {
  _header: string | null;
  _storeHeader(firstLine: string, headers: unknown): void;
  chunkedEncoding: boolean;
  useChunkedEncodingByDefault: boolean;
  shouldKeepAlive: boolean;
}

type CgiResponse = ServerResponse & OutgoingInternals;

const storeHttpHeader = (ServerResponse.prototype as unknown as OutgoingInternals)._storeHeader;

// Lines node:http may add or the app may set that have no meaning on a connection that carries one
// response and ends with a close; nginx and Apache would pass chunk markers through as body.
const HOP_BY_HOP_LINE = /^(?:transfer-encoding|connection|keep-alive)[ \t]*:[^\n]*\n/gim;

function storeCgiHeader(this: CgiResponse, firstLine: string, headers: unknown): void {
  storeHttpHeader.call(this, firstLine, headers);
  this.chunkedEncoding = false;
  const head = this._header!;
  // `HTTP/1.1 200 OK\r\n` -> `Status: 200 OK\r\n` (Apache answers 500 to an HTTP status line).
  const statusStart = head.indexOf(' ') + 1;
  const lineEnd = head.indexOf('\r\n') + 2;
  this._header = `Status: ${head.slice(statusStart, lineEnd)}${head.slice(lineEnd).replace(HOP_BY_HOP_LINE, '')}`;
}

function sendNothing(): void {}

function sendNoEarlyHints(_hints: unknown, callback?: () => void): void {
  if (typeof callback === 'function') process.nextTick(callback);
}

/**
 * Switch one response to CGI framing. Everything is set on the instance, because Express replaces the
 * prototype of `res` with its own (whose chain ends at http.ServerResponse.prototype).
 */
export function makeCgiResponse(res: ServerResponse): void {
  const cgi = res as CgiResponse;
  // Left on so node:http still computes Content-Length for `res.end(body)`; when it would chunk instead,
  // storeCgiHeader drops the Transfer-Encoding line and the framing, and the close ends the body.
  cgi.useChunkedEncodingByDefault = true;
  cgi.shouldKeepAlive = false;
  cgi._storeHeader = storeCgiHeader;
  // SCGI has no interim responses: a 1xx written now would be read as the final head.
  cgi.writeContinue = sendNothing;
  cgi.writeProcessing = sendNothing;
  cgi.writeEarlyHints = sendNoEarlyHints;
}
