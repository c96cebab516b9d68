// CGI environment -> the SCGI request's variables: what the web server said about the request, nothing else.
import { requestUrl, variableFromHeaderName } from '@scgi-node/core/protocol';
import { CgiBridgeError } from './errors.js';

/**
 * Request meta-variables passed on, in nginx's scgi_params order first (so an app sees the order it sees
 * behind nginx), then the rest of RFC 3875 §4.1 and the common server extensions.
 */
const REQUEST_VARIABLES = [
  'REQUEST_METHOD',
  'REQUEST_URI',
  'QUERY_STRING',
  'CONTENT_TYPE',
  'DOCUMENT_URI',
  'DOCUMENT_ROOT',
  'SERVER_PROTOCOL',
  'REQUEST_SCHEME',
  'HTTPS',
  'REMOTE_ADDR',
  'REMOTE_PORT',
  'SERVER_ADDR',
  'SERVER_PORT',
  'SERVER_NAME',
  'SERVER_SOFTWARE',
  'GATEWAY_INTERFACE',
  'SCRIPT_NAME',
  'SCRIPT_FILENAME',
  'PATH_INFO',
  'PATH_TRANSLATED',
  'AUTH_TYPE',
  'REMOTE_USER',
  'REMOTE_HOST',
  'REMOTE_IDENT',
  'SERVER_ADMIN',
  'CONTEXT_PREFIX',
  'CONTEXT_DOCUMENT_ROOT',
  'UNIQUE_ID',
] as const;

/** Prefixes of request data the web server exports: TLS details (mod_ssl, lighttpd), redirect state. */
const REQUEST_PREFIXES = ['SSL_', 'REDIRECT_'];

// The same request headers envFromRequest never forwards: HTTP-hop framing (the SCGI request has its own
// CONTENT_LENGTH) and `Proxy`, which would become HTTP_PROXY (httpoxy, CVE-2016-5385).
const DROPPED_HEADERS = new Set(
  ['Transfer-Encoding', 'Content-Length', 'Connection', 'Keep-Alive', 'Proxy', 'TE', 'Upgrade'].map(
    variableFromHeaderName,
  ),
);

const DECIMAL = /^[0-9]+$/;
const NOT_ASCII = /[\u0080-\uffff]/;

type Env = Readonly<Record<string, string | undefined>>;

/** The request as the bridge forwards it. */
export interface CgiRequest {
  method: string;
  /** REQUEST_URI as sent, or rebuilt from SCRIPT_NAME + PATH_INFO + ?QUERY_STRING. */
  uri: string;
  /** Name/value pairs for core's encoder (CONTENT_LENGTH and SCGI are added by it). */
  variables: Array<[string, string]>;
  /** Body bytes to read from stdin; undefined: unknown (chunked), read to EOF. */
  contentLength: number | undefined;
}

/**
 * The SCGI variables for the request described by `env` (RFC 3875 meta-variables). Passed on: the
 * request meta-variables above, `SSL_*` and `REDIRECT_*`, every `HTTP_*` except the hop's framing and
 * HTTP_PROXY, and the names or `PREFIX*` patterns in `passEnv`. Everything else (PATH, HOME, the
 * server's own settings, SCGI_NODE_*) stays out. REQUEST_URI is rebuilt when the server did not send it.
 * Values are taken from `rawEnv` (the environment's bytes as latin1 strings, see readRawEnvironment)
 * when given, else re-encoded from the UTF-8 that Node decoded them with (exact for valid UTF-8).
 * Throws CgiBridgeError `ERR_CGI_BAD_REQUEST` (400) without REQUEST_METHOD or with a bad CONTENT_LENGTH.
 */
export function requestFromCgiEnv(env: Env, passEnv: readonly string[] = [], rawEnv?: Env): CgiRequest {
  const method = env.REQUEST_METHOD;
  if (!method) {
    throw new CgiBridgeError('ERR_CGI_BAD_REQUEST', 'REQUEST_METHOD is not set: not run as a CGI program');
  }
  const lengthText = env.CONTENT_LENGTH;
  let contentLength: number | undefined = 0;
  if (lengthText) {
    contentLength = Number(lengthText);
    if (!DECIMAL.test(lengthText) || !Number.isSafeInteger(contentLength)) {
      throw new CgiBridgeError(
        'ERR_CGI_BAD_REQUEST',
        `CONTENT_LENGTH ${JSON.stringify(lengthText)} is not a number`,
      );
    }
  } else if (env.HTTP_TRANSFER_ENCODING) {
    // RFC 3875 §4.1.2 wants CONTENT_LENGTH with a body, but a server may pass a chunked one as it comes.
    contentLength = undefined;
  }
  const uri = env.REQUEST_URI || rebuiltUri(env);
  const variables: Array<[string, string]> = [];
  const taken = new Set<string>(['CONTENT_LENGTH', 'SCGI']);
  const add = (name: string, value: string, fromEnv = true) => {
    taken.add(name);
    // The raw bytes when the caller has them (latin1 strings); else the UTF-8 of Node's decoding.
    const raw = fromEnv ? rawEnv?.[name] : undefined;
    variables.push([name, raw ?? bytesOf(value)]);
  };
  for (const name of REQUEST_VARIABLES) {
    if (name === 'REQUEST_URI') add(name, uri, uri === env.REQUEST_URI);
    else if (env[name] !== undefined) add(name, env[name]!);
  }
  const extraNames = passEnv.filter((name) => !name.endsWith('*'));
  const prefixes = [
    ...REQUEST_PREFIXES,
    ...passEnv.filter((name) => name.endsWith('*')).map((p) => p.slice(0, -1)),
  ];
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || taken.has(name)) continue;
    if (name.startsWith('HTTP_')) {
      if (!DROPPED_HEADERS.has(name)) headers.push([name, value]);
    } else if (extraNames.includes(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      add(name, value);
    }
  }
  // Request headers last, as nginx and the gateway send them.
  for (const [name, value] of headers) add(name, value);
  return { method, uri, variables, contentLength };
}

/**
 * SCRIPT_NAME + PATH_INFO + ?QUERY_STRING (core's `requestUrl`) for a server that sends no REQUEST_URI.
 * The two paths arrive percent-decoded (RFC 3875 §4.1.5), so they are encoded again: a `?` or `%` in them
 * would otherwise be read as the query's start or an escape.
 */
function rebuiltUri(env: Env): string {
  const encode = (path: string | undefined) => path?.split('/').map(encodeURIComponent).join('/');
  const parts: Record<string, string> = {};
  const scriptName = encode(env.SCRIPT_NAME);
  const pathInfo = encode(env.PATH_INFO);
  if (scriptName !== undefined) parts.SCRIPT_NAME = scriptName;
  if (pathInfo !== undefined) parts.PATH_INFO = pathInfo;
  if (env.QUERY_STRING !== undefined) parts.QUERY_STRING = env.QUERY_STRING;
  return requestUrl(parts);
}

/** Node decodes environment bytes as UTF-8; SCGI carries bytes, which core's encoder writes as latin1. */
function bytesOf(value: string): string {
  return NOT_ASCII.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
}

/** True for a variable describing the request (stripped from a started worker's environment). */
export function isRequestVariable(name: string): boolean {
  return (
    name === 'CONTENT_LENGTH' ||
    (REQUEST_VARIABLES as readonly string[]).includes(name) ||
    name.startsWith('HTTP_') ||
    name.startsWith('SCGI_NODE_') ||
    REQUEST_PREFIXES.some((prefix) => name.startsWith(prefix))
  );
}
