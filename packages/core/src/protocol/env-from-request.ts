// HTTP request -> CGI variables, the way nginx's Debian scgi_params builds them (SCGI client, HTTP gateway).

import { variableFromHeaderName } from './cgi-names.js';

/** What {@link envFromRequest} needs to know about an HTTP request (node:http's IncomingMessage has it). */
export interface HttpRequestInfo {
  method: string;
  /** Raw request target, with query. */
  url: string;
  /** '1.1' | '1.0' */
  httpVersion: string;
  /** Flat [name, value, ...] as node:http gives. */
  rawHeaders: readonly string[];
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
  /** Default: Host without port, else 'localhost'. */
  serverName?: string;
  https?: boolean;
  documentRoot?: string;
  /** Appended last (e.g. REMOTE_USER). */
  extra?: Iterable<readonly [string, string]>;
}

// Framing of the HTTP hop, not of the request: the SCGI request carries CONTENT_LENGTH itself, and nginx
// forwarding HTTP_TRANSFER_ENCODING for a body it already de-chunked is a known trap (see frontends.md).
// `Proxy` would become HTTP_PROXY, which CGI programs and many HTTP clients read as their proxy setting
// (httpoxy, CVE-2016-5385); Go's net/http/cgi drops it too. The rest are hop-by-hop or describe framing
// the SCGI request replaces (CONTENT_LENGTH).
const UNFORWARDED_HEADERS = new Set([
  'transfer-encoding',
  'content-length',
  'connection',
  'keep-alive',
  'proxy',
  'te',
  'upgrade',
]);
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})|%00/;
const PERCENT_ESCAPE = /%([0-9A-Fa-f]{2})/g;

/**
 * nginx's $document_uri: the path percent-decoded to bytes, shown one char per byte (latin1), as the SCGI
 * wire carries them. Left raw when an escape is malformed or decodes to NUL (which cannot go on the wire).
 * Unlike nginx, `//` and dot segments are not normalised.
 */
function documentUri(target: string): string {
  // An absolute-form target (a request through a proxy) still has a path after its authority.
  const absolute = ABSOLUTE_FORM.exec(target);
  const path = absolute === null ? target : target.slice(absolute[0].length) || '/';
  if (!path.includes('%') || BAD_PERCENT.test(path)) return path;
  return path.replace(PERCENT_ESCAPE, (_escape, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** The Host header without its port: `example.com:8080` -> `example.com`, `[::1]:80` -> `[::1]`. */
function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close === -1 ? host : host.slice(0, close + 1);
  }
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * Variables in scgi_params order: REQUEST_METHOD, REQUEST_URI, QUERY_STRING, CONTENT_TYPE, DOCUMENT_URI
 * (percent-decoded path, no query; leave raw if decoding fails), DOCUMENT_ROOT, SERVER_PROTOCOL (HTTP/x.y),
 * REQUEST_SCHEME, HTTPS=on when https, REMOTE_ADDR, REMOTE_PORT, SERVER_ADDR, SERVER_PORT, SERVER_NAME, then
 * one HTTP_* per header line in order (repeats kept as repeated keys like nginx; header names containing '_'
 * are dropped like nginx; Transfer-Encoding, Content-Length and Connection/Keep-Alive hop-by-hop headers are
 * NOT forwarded as HTTP_*), then `extra`. CONTENT_LENGTH and SCGI are NOT included (the encoder adds them).
 * Omit a variable whose input is undefined (except QUERY_STRING and CONTENT_TYPE, always present, possibly
 * ''). Keep the raw Host header value in HTTP_HOST (port kept; a documented departure from Debian nginx's
 * $host).
 */
export function envFromRequest(info: HttpRequestInfo): Array<[string, string]> {
  const { url, rawHeaders } = info;
  const queryStart = url.indexOf('?');
  const target = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
  let host: string | undefined;
  let contentType: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (host === undefined && name === 'host') host = rawHeaders[i + 1] ?? '';
    else if (contentType === undefined && name === 'content-type') contentType = rawHeaders[i + 1] ?? '';
  }

  const env: Array<[string, string]> = [
    ['REQUEST_METHOD', info.method],
    ['REQUEST_URI', url],
    ['QUERY_STRING', query],
    ['CONTENT_TYPE', contentType ?? ''],
    ['DOCUMENT_URI', documentUri(target)],
  ];
  if (info.documentRoot !== undefined) env.push(['DOCUMENT_ROOT', info.documentRoot]);
  env.push(
    ['SERVER_PROTOCOL', `HTTP/${info.httpVersion}`],
    ['REQUEST_SCHEME', info.https ? 'https' : 'http'],
  );
  if (info.https) env.push(['HTTPS', 'on']);
  if (info.remoteAddress !== undefined) env.push(['REMOTE_ADDR', info.remoteAddress]);
  if (info.remotePort !== undefined) env.push(['REMOTE_PORT', String(info.remotePort)]);
  if (info.localAddress !== undefined) env.push(['SERVER_ADDR', info.localAddress]);
  if (info.localPort !== undefined) env.push(['SERVER_PORT', String(info.localPort)]);
  env.push(['SERVER_NAME', info.serverName ?? ((host && hostWithoutPort(host)) || 'localhost')]);

  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // nginx (underscores_in_headers off) and Apache drop these: `X_Foo` would collide with `X-Foo`.
    if (name.includes('_') || UNFORWARDED_HEADERS.has(name.toLowerCase())) continue;
    env.push([variableFromHeaderName(name), rawHeaders[i + 1] ?? '']);
  }
  if (info.extra !== undefined) {
    for (const [name, value] of info.extra) env.push([name, value]);
  }
  return env;
}
