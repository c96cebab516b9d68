// Header name <-> CGI variable name (RFC 3875 §4.1.18), shared by both directions of the mapping.

const HTTP_PREFIX = 'HTTP_';
const H = 0x48;
const UNDERSCORE = 0x5f;

/**
 * Header names already mapped: the same dozen come with every request, and a lookup costs less than the
 * three new strings of a mapping. Bounded, because the names are peer input; past the bound, names are
 * mapped without being kept.
 */
const headerNames = new Map<string, string>();
export const MAX_CACHED_HEADER_NAMES = 1024;

/** `HTTP_X_FORWARDED_FOR` -> `x-forwarded-for`; undefined for a variable that is not a request header. */
export function headerNameFromVariable(name: string): string | undefined {
  // Two char codes turn away most names (and HTTPS) before a startsWith call, which costs more.
  if (name.charCodeAt(0) !== H || name.charCodeAt(4) !== UNDERSCORE) return undefined;
  if (!name.startsWith(HTTP_PREFIX) || name.length === HTTP_PREFIX.length) return undefined;
  let header = headerNames.get(name);
  if (header === undefined) {
    header = name.slice(HTTP_PREFIX.length).toLowerCase().replaceAll('_', '-');
    if (headerNames.size < MAX_CACHED_HEADER_NAMES) headerNames.set(name, header);
  }
  return header;
}

/** How many mappings are kept (for the test of the bound). */
export function cachedHeaderNameCount(): number {
  return headerNames.size;
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
