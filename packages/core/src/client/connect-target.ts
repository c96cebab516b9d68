// Where an SCGI client connects: a port, "host:port", a socket path, or a listening server.
import type { AddressInfo, NetConnectOpts, Server } from 'node:net';
import { ScgiError } from '../protocol/errors.js';
import { parseListenTarget, type ScgiListenOptions } from '../server/target.js';

export type ConnectTarget = number | string | ScgiListenOptions | Pick<Server, 'address'>;

export function connectOptions(target: ConnectTarget): NetConnectOpts {
  const listen = isServer(target) ? fromAddress(target.address()) : parseListenTarget(target);
  if (listen.path !== undefined) return { path: listen.path };
  if (listen.port === undefined)
    throw new ScgiError('ERR_SCGI_BAD_TARGET', 'An SCGI client needs a port or a path');
  const host = listen.host === undefined || listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host;
  return { port: listen.port, host: host === '::' ? '::1' : host };
}

function isServer(target: ConnectTarget): target is Pick<Server, 'address'> {
  return typeof target === 'object' && typeof (target as Partial<Server>).address === 'function';
}

function fromAddress(address: AddressInfo | string | null): ScgiListenOptions {
  if (address === null) throw new ScgiError('ERR_SCGI_BAD_TARGET', 'The server is not listening');
  return typeof address === 'string' ? { path: address } : { port: address.port, host: address.address };
}
