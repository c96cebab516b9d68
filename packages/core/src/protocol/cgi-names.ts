// Header name <-> CGI variable name (RFC 3875 §4.1.18), shared by both directions of the mapping.

const HTTP_PREFIX = 'HTTP_';

/** `HTTP_X_FORWARDED_FOR` -> `x-forwarded-for`; undefined for a variable that is not a request header. */
export function headerNameFromVariable(name: string): string | undefined {
  if (!name.startsWith(HTTP_PREFIX) || name.length === HTTP_PREFIX.length) return undefined;
  return name.slice(HTTP_PREFIX.length).toLowerCase().replaceAll('_', '-');
}

/** `X-Forwarded-For` -> `HTTP_X_FORWARDED_FOR`. */
export function variableFromHeaderName(name: string): string {
  return HTTP_PREFIX + name.toUpperCase().replaceAll('-', '_');
}

/**
 * Meta-variables that must appear at most once: a repeat could smuggle a second request line or body
 * length past the front server. Only `HTTP_*` variables may repeat (nginx 1.22, lighttpd send repeats).
 */
export function mayRepeat(name: string): boolean {
  return name.startsWith(HTTP_PREFIX);
}
