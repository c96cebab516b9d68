// --allow: CIDR parsing and matching (IPv4, IPv6, v4-mapped), and real TCP clients refused before a byte is read.
import { once } from 'node:events';
import { connect } from 'node:net';
import { createServer } from '@scgi-node/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagerError } from '../errors.js';
import { createAllowList, isLoopback, LOOPBACK_CIDRS, parseCidr, refuseOutsiders } from './allow-list.js';

describe('parseCidr', () => {
  it('takes ranges and single hosts of both families', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr(' 192.168.1.7 ')).toEqual({ address: '192.168.1.7', prefix: 32, family: 'ipv4' });
    expect(parseCidr('fd00::/8')).toEqual({ address: 'fd00::', prefix: 8, family: 'ipv6' });
    expect(parseCidr('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    expect(parseCidr('0.0.0.0/0')).toEqual({ address: '0.0.0.0', prefix: 0, family: 'ipv4' });
  });

  it.each([
    ['10.0.0/8', '"10.0.0" is not an IPv4 or IPv6 address'],
    ['example.com', '"example.com" is not an IPv4 or IPv6 address'],
    ['10.0.0.0/33', 'the prefix length must be 0-32 for an IPv4 address'],
    ['::/129', 'the prefix length must be 0-128 for an IPv6 address'],
    ['10.0.0.0/', 'the prefix length must be 0-32 for an IPv4 address'],
    ['10.0.0.0/8a', 'the prefix length must be 0-32 for an IPv4 address'],
  ])('refuses %s', (text, why) => {
    let error: unknown;
    try {
      parseCidr(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ManagerError);
    expect((error as ManagerError).code).toBe('ERR_SCGI_NODE_BAD_OPTION');
    expect((error as ManagerError).message).toBe(
      `--allow: invalid entry ${JSON.stringify(text)}: ${why} (use CIDR notation such as 10.0.0.0/8, 192.168.1.7 or fd00::/8)`,
    );
  });
});

describe('createAllowList', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 clients', () => {
    const list = createAllowList(['10.1.0.0/16', '2001:db8::/32', '192.168.0.9']);
    expect(list.cidrs).toEqual(['10.1.0.0/16', '2001:db8::/32', '192.168.0.9/32']);
    expect(list.allows('10.1.200.3')).toBe(true);
    expect(list.allows('10.2.0.1')).toBe(false);
    expect(list.allows('::ffff:10.1.0.1')).toBe(true); // a dual-stack listener sees IPv4 clients so
    expect(list.allows('::ffff:10.2.0.1')).toBe(false);
    expect(list.allows('2001:db8:1::5')).toBe(true);
    expect(list.allows('2001:db9::5')).toBe(false);
    expect(list.allows('192.168.0.9')).toBe(true);
    expect(list.allows('192.168.0.10')).toBe(false);
    expect(list.allows('not an address')).toBe(false);
    expect(list.allows(undefined)).toBe(true); // a unix socket peer
  });

  it('0.0.0.0/0 lets every IPv4 client in; the default is loopback', () => {
    const any = createAllowList(['0.0.0.0/0']);
    expect(['1.2.3.4', '::ffff:8.8.8.8'].map((address) => any.allows(address))).toEqual([true, true]);
    expect(any.allows('2001:db8::1')).toBe(false);
    const loopback = createAllowList(LOOPBACK_CIDRS);
    expect(['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'].every((a) => loopback.allows(a))).toBe(true);
    expect(['10.0.0.1', '::2', '0.0.0.0'].some((a) => loopback.allows(a))).toBe(false);
  });

  it('isLoopback', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'localhost'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('refuseOutsiders on a real SCGI server', () => {
  const closers: Array<() => void> = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  /** One SCGI request from `localAddress` (any 127/8 address is this machine on Linux); resolves with what came back. */
  async function exchange(port: number, localAddress: string): Promise<string> {
    const pairs = ['CONTENT_LENGTH', '0', 'SCGI', '1', 'REQUEST_METHOD', 'GET', 'REQUEST_URI', '/who'];
    const block = `${pairs.join('\0')}\0`;
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    socket.on('error', () => {}); // a refused client may see a reset: what it received is what counts
    await once(socket, 'connect');
    socket.write(`${block.length}:${block},`);
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
    });
    await once(socket, 'close');
    return received;
  }

  it('destroys connections from outside the list before the app sees them, and reports them', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.socket.remoteAddress ?? '?');
      res.end('served');
    });
    const refused: Array<string | undefined> = [];
    refuseOutsiders(server, createAllowList(['127.0.0.2/32']), (address) => refused.push(address));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => server.close());
    const { port } = server.address() as { port: number };

    expect(await exchange(port, '127.0.0.1')).toBe('');
    expect(refused).toEqual(['127.0.0.1']);
    expect(await exchange(port, '127.0.0.2')).toMatch(/^Status: 200 OK\r\n[\s\S]*\r\n\r\nserved$/);
    expect(seen).toHaveLength(1);
    expect(refused).toHaveLength(1);
  });
});
