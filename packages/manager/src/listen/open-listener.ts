// openListener: the primary's listening socket (bound here, or inherited via fd:N / systemd), as a descriptor for the workers.
import { lookup as dnsLookup } from 'node:dns/promises';
import { chownSync } from 'node:fs';
import net, { isIP } from 'node:net';
import { getSystemErrorName } from 'node:util';
import { isScgiError } from '@scgi-node/core';
import { applySocketMode, parseListenTarget, prepareSocketPath } from '@scgi-node/core/transport';
import { ManagerError } from '../errors.js';
import { isLoopback } from '../security/allow-list.js';
import { resolveOwner } from '../security/user.js';
import { adoptSystemdSocket } from './systemd.js';

/** Where `--listen auto` binds when systemd passed no socket. */
export const DEFAULT_LISTEN = '127.0.0.1:4000';

export interface OpenListenerOptions {
  /** `auto`, `systemd`, `systemd:NAME`, `unix:/path`, a path, `host:port`, a port or `fd:N`. */
  listen: string;
  /** Mode of a unix socket bound here (e.g. 0o660); left to the umask when undefined. */
  socketMode?: number | undefined;
  /** `user[:group]` to own a unix socket bound here. */
  socketOwner?: string | undefined;
  /** The explicit `--allow` list; `undefined` (not given) refuses a TCP bind outside loopback. */
  allow?: readonly string[] | undefined;
  /** LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES; removed from it once adopted. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Compared with LISTEN_PID. Default process.pid. */
  pid?: number;
}

/** The socket every worker accepts on. */
export interface OpenedListener {
  /** The descriptor to put in each worker's stdio array. */
  fd: number;
  kind: 'tcp' | 'unix' | 'fd' | 'systemd';
  /** For logs: `tcp 127.0.0.1:4000`, `unix /run/app.sock`, `systemd fd 3 "web" (tcp [::]:4000)`. */
  describe: string;
  /** Where a local SCGI client (the --http gateway) connects: `host:port` or a socket path, when known. */
  connectTarget: string | undefined;
  /** Close the descriptor (a unix socket file bound here is removed); workers keep their own copies. */
  close(): Promise<void>;
}

/** The name manager.ts imports; the same type. */
export type OpenListener = OpenedListener;

/**
 * What `--listen auto` means here: `systemd` when LISTEN_FDS is set for this process, else
 * {@link DEFAULT_LISTEN}. Variables left by a socket-activated parent (another LISTEN_PID) are not ours.
 * Any other value is returned as it is.
 */
export function chooseListen(listen: string, env: NodeJS.ProcessEnv, pid: number): string {
  if (listen !== 'auto') return listen;
  const forUs = env.LISTEN_FDS !== undefined && (env.LISTEN_PID ?? String(pid)) === String(pid);
  return forUs ? 'systemd' : DEFAULT_LISTEN;
}

/** The libuv handle behind a server socket, as node:net's internal cluster support creates it. */
interface ServerHandle {
  fd: number;
  close(callback?: () => void): void;
  getsockname?(out: { address?: string; port?: number; family?: string }): number;
}

type CreateServerHandle = (
  address: string | null,
  port: number | null,
  addressType: number | null,
  fd?: number,
  flags?: number,
) => ServerHandle | number;

/**
 * Bind (or adopt) the listening socket and return its descriptor. The primary only binds: it never
 * calls listen(2) nor polls the socket, so it never accepts a connection; the first worker's listen on
 * its copy makes the socket listen, and from then on connections queue in the kernel's backlog for
 * whichever worker accepts next, even while no worker runs. (Node's cluster does the same for its
 * shared handles, with the same `net._createServerHandle`.) Inherited sockets are already listening.
 *
 * @throws ManagerError ERR_SCGI_NODE_UNSAFE_LISTEN (public TCP address without `allow`),
 *   ERR_SCGI_NODE_LISTEN (bind failed, socket in use, bad or missing inherited descriptor),
 *   ERR_SCGI_NODE_PRIVILEGES (socket owner change refused), ERR_SCGI_NODE_BAD_OPTION (bad target).
 */
export async function openListener(options: OpenListenerOptions): Promise<OpenedListener> {
  const env = options.env ?? process.env;
  const pid = options.pid ?? process.pid;
  const listen = chooseListen(options.listen, env, pid);
  if (listen === 'systemd' || listen.startsWith('systemd:')) {
    const { fd, name } = adoptSystemdSocket(listen, env, pid);
    return adopt(fd, 'systemd', `systemd fd ${fd}${name === undefined ? '' : ` "${name}"`}`);
  }
  let target: ReturnType<typeof parseListenTarget>;
  try {
    target = parseListenTarget(listen);
  } catch (error) {
    if (!isScgiError(error)) throw error;
    throw new ManagerError('ERR_SCGI_NODE_BAD_OPTION', `--listen: ${error.message}`, { cause: error });
  }
  if (target.fd !== undefined) return adopt(target.fd, 'fd', `fd ${target.fd}`);
  if (target.path !== undefined) return bindUnix(target.path, options);
  return bindTcp(target.host ?? '127.0.0.1', target.port ?? 0, options);
}

async function bindTcp(host: string, port: number, options: OpenListenerOptions): Promise<OpenedListener> {
  // A name is resolved once here: the kernel binds addresses, and the loopback check needs one.
  const address = isIP(host) !== 0 ? host : await lookup(host);
  if (!isLoopback(address) && options.allow === undefined) {
    throw new ManagerError(
      'ERR_SCGI_NODE_UNSAFE_LISTEN',
      `refusing to listen on ${hostPort(address, port)}: it is not a loopback address, and without --allow only ` +
        'clients on this machine may connect. Pass --allow with the addresses of your web servers ' +
        '(e.g. --allow 10.0.0.5), or --allow 0.0.0.0/0 if any host may connect.',
    );
  }
  const describe = `tcp ${hostPort(address, port)}`;
  const handle = createHandle(address, port, isIP(address), describe);
  // libuv delays a bind's EADDRINUSE until listen (which only the workers do); getsockname reports it now.
  const out: { address?: string; port?: number } = {};
  const status = handle.getsockname?.(out) ?? 0;
  if (status < 0) {
    handle.close();
    throw listenError(describe, status);
  }
  const bound = { address: out.address ?? address, port: out.port ?? port };
  const connectHost =
    bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address === '::' ? '::1' : bound.address;
  return opened(
    handle,
    'tcp',
    `tcp ${hostPort(bound.address, bound.port)}`,
    hostPort(connectHost, bound.port),
  );
}

async function bindUnix(path: string, options: OpenListenerOptions): Promise<OpenedListener> {
  try {
    await prepareSocketPath(path); // a stale file is replaced; a live listener is an error
  } catch (error) {
    if (!isScgiError(error)) throw error;
    throw new ManagerError('ERR_SCGI_NODE_LISTEN', `cannot listen on unix ${path}: ${error.message}`, {
      cause: error,
    });
  }
  const handle = createHandle(path, -1, -1, `unix ${path}`);
  // Before any worker listens, so nobody ever connects through the wrong mode or owner.
  try {
    if (options.socketOwner !== undefined) {
      const owner = resolveOwner(options.socketOwner);
      chownSync(path, owner.uid, owner.gid);
    }
    if (options.socketMode !== undefined) applySocketMode(path, options.socketMode);
  } catch (error) {
    handle.close();
    if (error instanceof ManagerError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ManagerError(
      code === 'EPERM' ? 'ERR_SCGI_NODE_PRIVILEGES' : 'ERR_SCGI_NODE_LISTEN',
      `cannot set the owner or mode of ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return opened(handle, 'unix', `unix ${path}`, path);
}

function adopt(fd: number, kind: 'fd' | 'systemd', describe: string): OpenedListener {
  const handle = internalCreateServerHandle()(null, null, null, fd);
  if (typeof handle === 'number') {
    throw new ManagerError(
      'ERR_SCGI_NODE_LISTEN',
      `${describe} is not an open stream socket (TCP or unix): pass a listening socket's descriptor`,
    );
  }
  const name = sockname(handle);
  const address = name === undefined ? undefined : hostPort(name.address, name.port);
  return opened(handle, kind, address === undefined ? describe : `${describe} (tcp ${address})`, address);
}

function opened(
  handle: ServerHandle,
  kind: OpenedListener['kind'],
  describe: string,
  connectTarget: string | undefined,
): OpenedListener {
  let closed: Promise<void> | undefined;
  return {
    fd: handle.fd,
    kind,
    describe,
    connectTarget,
    close: () => {
      closed ??= new Promise<void>((resolve) => handle.close(resolve));
      return closed;
    },
  };
}

function createHandle(address: string, port: number, addressType: number, describe: string): ServerHandle {
  const handle = internalCreateServerHandle()(address, port, addressType, undefined, 0);
  if (typeof handle === 'number') throw listenError(describe, handle);
  return handle;
}

function listenError(describe: string, errno: number): ManagerError {
  const code = getSystemErrorName(errno);
  const hint =
    code === 'EADDRINUSE' ? ': address already in use' : code === 'EACCES' ? ': permission denied' : '';
  return new ManagerError('ERR_SCGI_NODE_LISTEN', `cannot listen on ${describe}${hint} (${code})`);
}

function internalCreateServerHandle(): CreateServerHandle {
  const create = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;
  if (typeof create !== 'function') {
    throw new ManagerError(
      'ERR_SCGI_NODE_LISTEN',
      `this Node.js (${process.version}) lacks net._createServerHandle`,
    );
  }
  return create;
}

function sockname(handle: ServerHandle): { address: string; port: number } | undefined {
  const out: { address?: string; port?: number } = {};
  if (typeof handle.getsockname !== 'function' || handle.getsockname(out) !== 0) return undefined;
  return out.address === undefined || out.port === undefined
    ? undefined
    : { address: out.address, port: out.port };
}

function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

async function lookup(host: string): Promise<string> {
  try {
    return (await dnsLookup(host)).address;
  } catch (error) {
    throw new ManagerError(
      'ERR_SCGI_NODE_LISTEN',
      `cannot resolve --listen host "${host}": ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
