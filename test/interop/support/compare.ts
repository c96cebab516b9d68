// Direct vs fronted responses: which header differences are the front server's own, and which are bugs.
import type { FrontKind } from './front-servers.js';

/**
 * Headers left out of every comparison: hop-by-hop (RFC 9110 §7.6.1) and the servers' own `Date` and
 * `Server`. `Transfer-Encoding` is each hop's own framing. `Content-Length`: a length the app sent must
 * arrive unchanged (Apache drops it without `ap_trust_cgilike_cl`); a front server may add one to a body
 * the app sent without (Apache does for a short body it holds whole; the body is compared either way).
 */
export const ALWAYS_IGNORED = [
  'date',
  'server',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
] as const;

/** Headers a front server adds, drops or rewrites on its own, with why: documented in test/interop/README.md. */
export const FRONT_SERVER_CHANGES: Record<FrontKind, Readonly<Record<string, string>>> = {
  nginx: {
    'x-accel-buffering':
      'nginx acts on X-Accel-* response headers (here: do not buffer) and does not pass them on (scgi_hide_header default)',
  },
  apache: {},
  lighttpd: {
    'accept-ranges': 'lighttpd adds `Accept-Ranges: bytes` to 200 responses: it serves Range requests itself',
  },
};

/** One header whose values differ between the direct and the fronted response. */
export interface HeaderDifference {
  name: string;
  direct: string[];
  fronted: string[];
}

function grouped(headers: Array<[string, string]>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [name, value] of headers) {
    if ((ALWAYS_IGNORED as readonly string[]).includes(name)) continue;
    map.set(name, [...(map.get(name) ?? []), value]);
  }
  return map;
}

/**
 * Every header that differs, by name (values of one name in order: three Set-Cookie stay three, in order),
 * except a Content-Length the front server added where the app sent none (see ALWAYS_IGNORED).
 */
export function headerDifferences(
  direct: Array<[string, string]>,
  fronted: Array<[string, string]>,
): HeaderDifference[] {
  const [a, b] = [grouped(direct), grouped(fronted)];
  const names = [...new Set([...a.keys(), ...b.keys()])].sort();
  const differences: HeaderDifference[] = [];
  for (const name of names) {
    const [left, right] = [a.get(name) ?? [], b.get(name) ?? []];
    if (name === 'content-length' && left.length === 0) continue;
    if (JSON.stringify(left) !== JSON.stringify(right))
      differences.push({ name, direct: left, fronted: right });
  }
  return differences;
}

/** The differences a front server does not explain (FRONT_SERVER_CHANGES): each is a failure. */
export function unexplainedDifferences(kind: FrontKind, differences: HeaderDifference[]): HeaderDifference[] {
  return differences.filter((difference) => FRONT_SERVER_CHANGES[kind][difference.name] === undefined);
}
