// `getConnInfo(c)` for Hono's conninfo helper (and ipRestriction): the client's address from the CGI variables.
import type { Context } from 'hono';
import type { ConnInfo } from 'hono/conninfo';

/**
 * The client's address as the front server saw it (`REMOTE_ADDR`, `REMOTE_PORT`), not the front
 * server's own: `getConnInfo(c).remote.address`. Works for `serve` and `createFetchHandler`; pass it to
 * `ipRestriction(getConnInfo, …)`.
 */
export function getConnInfo(c: Context): ConnInfo {
  const env = c.env as Record<string, unknown> | undefined;
  const address =
    typeof env?.REMOTE_ADDR === 'string' && env.REMOTE_ADDR !== '' ? env.REMOTE_ADDR : undefined;
  const port = Number(env?.REMOTE_PORT);
  return {
    remote: {
      address,
      port: Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined,
      addressType: address === undefined ? undefined : address.includes(':') ? 'IPv6' : 'IPv4',
    },
  };
}
