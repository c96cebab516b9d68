// `--allow`: which TCP clients may connect, as CIDR ranges (IPv4, IPv6, IPv4-mapped IPv6) matched by node:net's BlockList.
import { BlockList, isIP, type Server, type Socket } from 'node:net';
import { ManagerError } from '../errors.js';

/** The default when `--allow` is not given: only the local machine (the usual place of the web server). */
export const LOOPBACK_CIDRS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** A parsed `--allow` entry. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** A set of CIDR ranges; `allows()` answers for one client address. */
export interface AllowList {
  /** The ranges, normalized to `address/prefix`. */
  readonly cidrs: readonly string[];
  /**
   * True when `address` is in one of the ranges. An IPv4 client seen as `::ffff:a.b.c.d` (dual-stack
   * listener) matches IPv4 ranges. `undefined` (a unix socket peer, which has no address) is allowed:
   * file permissions guard unix sockets.
   */
  allows(address: string | undefined): boolean;
}

/** Parse `10.0.0.0/8`, `192.168.1.7` (one host), `fd00::/8`, `::1`; throws ERR_SCGI_NODE_BAD_OPTION. */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const version = isIP(address);
  if (version === 0) throw badCidr(text, `"${address}" is not an IPv4 or IPv6 address`);
  const bits = version === 4 ? 32 : 128;
  const prefixText = slash === -1 ? String(bits) : trimmed.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= bits)) {
    throw badCidr(text, `the prefix length must be 0-${bits} for an IPv${version} address`);
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Build an allow list from CIDR strings (each checked by {@link parseCidr}). */
export function createAllowList(cidrs: readonly string[]): AllowList {
  const blockList = new BlockList();
  const parsed = cidrs.map(parseCidr);
  for (const { address, prefix, family } of parsed) blockList.addSubnet(address, prefix, family);
  return {
    cidrs: parsed.map(({ address, prefix }) => `${address}/${prefix}`),
    allows(address) {
      if (address === undefined) return true;
      const version = isIP(address);
      if (version === 0) return false;
      return blockList.check(address, version === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

const LOOPBACK = createAllowList(LOOPBACK_CIDRS);

/** True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z: an address only this machine can reach. */
export function isLoopback(address: string): boolean {
  return isIP(address) !== 0 && LOOPBACK.allows(address);
}

/**
 * Destroy every connection of `server` from outside `list`, before anything reads from it: the handler
 * is prepended to 'connection', so the SCGI connection that follows sees a destroyed socket and never
 * parses a byte. `onRefused` gets the address (for one log line per refusal).
 */
export function refuseOutsiders(
  server: Server,
  list: AllowList,
  onRefused?: (address: string | undefined) => void,
): void {
  server.prependListener('connection', (socket: Socket) => {
    if (list.allows(socket.remoteAddress)) return;
    socket.destroy();
    onRefused?.(socket.remoteAddress);
  });
}

function badCidr(text: string, why: string): ManagerError {
  return new ManagerError(
    'ERR_SCGI_NODE_BAD_OPTION',
    `--allow: invalid entry ${JSON.stringify(text)}: ${why} (use CIDR notation such as 10.0.0.0/8, 192.168.1.7 or fd00::/8)`,
  );
}
