// The absolute URL of a request: scheme from HTTPS/REQUEST_SCHEME, host from HTTP_HOST, path from REQUEST_URI.
import { ScgiProtocolError } from '@scgi-node/core';
import { isHttps, requestUrl } from '@scgi-node/core/protocol';

// Strings that `new URL()` would give back unchanged, so the common case skips the URL parser (as
// @hono/node-server does). Ports 1000-59999 only: the parser drops :80 and :443 and rejects > 65535.
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-9]\d{3}|[1-5]\d{4}))?$/;
const PLAIN_TARGET = /^\/[!$%&-;=?-[\]_a-z~]*$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)/;
// A reg-name or bracketed IPv6 literal and an optional port: nothing that would move the path.
const VALID_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[^\s/?#@\\[\]:]+)(?::\d{1,5})?$/;
const ABSOLUTE_TARGET = /^https?:\/\//i;

function badUrl(message: string): ScgiProtocolError {
  return new ScgiProtocolError('ERR_SCGI_BAD_HEADER_BLOCK', message);
}

/** `scheme://host` + `target` as `new URL(...).href` would spell it; throws a 400 error for a bad one. */
export function buildHref(scheme: 'http' | 'https', host: string, target: string): string {
  if (PLAIN_HOST.test(host) && PLAIN_TARGET.test(target) && !DOT_SEGMENT.test(target)) {
    return `${scheme}://${host}${target}`;
  }
  let href: string;
  if (target.charCodeAt(0) === 0x2f) {
    if (!VALID_HOST.test(host)) throw badUrl(`Invalid Host ${JSON.stringify(host)}`);
    href = `${scheme}://${host}${target}`;
  } else if (ABSOLUTE_TARGET.test(target)) {
    href = target; // absolute-form request target (a proxy request)
  } else {
    throw badUrl(`Request target ${JSON.stringify(target)} is not a path`);
  }
  // WHATWG URLs read `\` as `/` in the path: `/admin\..` must not reach a router as `/`.
  const query = href.indexOf('?');
  if (href.lastIndexOf('\\', query === -1 ? undefined : query) !== -1) {
    throw badUrl('Backslash in the request path');
  }
  try {
    return new URL(href).href;
  } catch (cause) {
    throw new ScgiProtocolError('ERR_SCGI_BAD_HEADER_BLOCK', `Invalid request URL ${JSON.stringify(href)}`, {
      cause,
    });
  }
}

/**
 * The request URL from the CGI variables. Host: `HTTP_HOST`, else `SERVER_NAME` with `SERVER_PORT` (a
 * default port left out), else `localhost`. Path: `REQUEST_URI`, else `SCRIPT_NAME + PATH_INFO + ?QUERY_STRING`.
 */
export function hrefFromEnv(env: Readonly<Record<string, string>>): string {
  const scheme = isHttps(env) ? 'https' : 'http';
  return buildHref(scheme, env.HTTP_HOST || serverAuthority(env, scheme), requestUrl(env));
}

function serverAuthority(env: Readonly<Record<string, string>>, scheme: 'http' | 'https'): string {
  const name = env.SERVER_NAME || 'localhost';
  const port = env.SERVER_PORT;
  const host = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
  if (!port || port === (scheme === 'https' ? '443' : '80')) return host;
  return `${host}:${port}`;
}
