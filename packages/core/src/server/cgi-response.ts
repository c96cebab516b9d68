// Makes a ServerResponse speak CGI (RFC 3875 §6): a Status line, no chunking, no connection headers.
import { ServerResponse } from 'node:http';

interface OutgoingInternals {
  _header: string | null;
  _storeHeader(firstLine: string, headers: unknown): void;
  chunkedEncoding: boolean;
  useChunkedEncodingByDefault: boolean;
  shouldKeepAlive: boolean;
  // node:http's "the app removed this header" flags, which also stop it from adding the header itself.
  _removedConnection: boolean;
  _removedTE: boolean;
  /** Cleared by node:http when the app sets a Keep-Alive header. */
  _defaultKeepAlive: boolean;
}

type CgiResponse = ServerResponse & OutgoingInternals;

const storeHttpHeader = (ServerResponse.prototype as unknown as OutgoingInternals)._storeHeader;

// Lines the app may set that have no meaning on a connection that carries one response and ends with a
// close; nginx and Apache would pass chunk markers through as body.
const HOP_BY_HOP_LINE = /^(?:transfer-encoding|connection|keep-alive)[ \t]*:[^\n]*\n/gim;

function storeCgiHeader(this: CgiResponse, firstLine: string, headers: unknown): void {
  // `HTTP/1.1 200 OK\r\n` -> `Status: 200 OK\r\n` (Apache answers 500 to an HTTP status line).
  storeHttpHeader.call(this, `Status: ${firstLine.slice(firstLine.indexOf(' ') + 1)}`, headers);
  // node:http clears one of these flags when the app itself set the header (see makeCgiResponse).
  if (!this._removedConnection || !this._removedTE || !this._defaultKeepAlive) {
    this.chunkedEncoding = false;
    this._header = this._header!.replace(HOP_BY_HOP_LINE, '');
  }
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
  // Left on so node:http still computes Content-Length for `res.end(body)`. Marked as removed by the app,
  // Transfer-Encoding and Connection are never added by node:http: with no length known it sends the
  // body unframed and the close ends it, which is CGI's framing. No per-response rewrite is needed then.
  cgi.useChunkedEncodingByDefault = true;
  cgi.shouldKeepAlive = false;
  cgi._removedConnection = true;
  cgi._removedTE = true;
  cgi._storeHeader = storeCgiHeader;
  // SCGI has no interim responses: a 1xx written now would be read as the final head.
  cgi.writeContinue = sendNothing;
  cgi.writeProcessing = sendNothing;
  cgi.writeEarlyHints = sendNoEarlyHints;
}
