// The status socket: a small HTTP server on a unix socket that answers GET / with the manager's state as JSON.
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { isScgiError } from '@scgi-node/core';
import { applySocketMode, prepareSocketPath } from '@scgi-node/core/transport';
import { ManagerError } from '../errors.js';

/** Owner-only by default: the status names the URLs being served. */
export const DEFAULT_STATUS_SOCKET_MODE = 0o600;

export interface StatusServer {
  readonly path: string;
  /** Stop answering and remove the socket file. */
  close(): Promise<void>;
}

/**
 * Serve `snapshot()` as JSON on the unix socket `path` (`GET /`; `HEAD` too). The snapshot is taken per
 * request, so it is always current. A stale socket file is replaced; a live one is an error.
 *
 * @throws ManagerError ERR_SCGI_NODE_STATUS when the socket cannot be served.
 */
export async function startStatusServer(
  path: string,
  snapshot: () => unknown,
  options: { mode?: number } = {},
): Promise<StatusServer> {
  const server = createServer((req, res) => {
    if (req.url !== '/' && req.url !== '/status')
      return reply(res, 404, { error: `no such resource: ${req.url}` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return reply(res, 405, { error: `method ${req.method} not allowed` });
    }
    let body: unknown;
    try {
      body = snapshot();
    } catch (error) {
      return reply(res, 500, { error: `the status could not be taken: ${(error as Error).message}` });
    }
    reply(res, 200, body, req.method === 'HEAD');
  });
  try {
    await prepareSocketPath(path);
    server.listen(path);
    await once(server, 'listening');
    applySocketMode(path, options.mode ?? DEFAULT_STATUS_SOCKET_MODE);
  } catch (error) {
    server.close();
    const reason = isScgiError(error) ? error.message : (error as Error).message;
    throw new ManagerError('ERR_SCGI_NODE_STATUS', `cannot serve the status on ${path}: ${reason}`, {
      cause: error,
    });
  }
  let closed: Promise<void> | undefined;
  return {
    path,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a keep-alive client must not hold the manager's exit
      });
      return closed;
    },
  };
}

function reply(res: ServerResponse, status: number, body: unknown, headOnly = false): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(headOnly ? undefined : text);
}
