// Test support: real gateways and SCGI backends on ephemeral addresses, all closed after each test.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createScgiServer, type ScgiServerOptions } from '@scgi-node/core';
import { afterEach } from 'vitest';
import { createGateway } from '../gateway.js';
import type { GatewayLogEntry } from '../log.js';
import type { GatewayOptions } from '../options.js';

type Closable = Pick<NetServer, 'close' | 'listening'> & { closeAllConnections?: () => void };

const servers: Closable[] = [];
const dirs: string[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  // All at once: a gateway's backend connection keeps its backend open until the gateway lets go.
  const closing = servers.splice(0);
  for (const server of closing) server.closeAllConnections?.();
  await Promise.all(
    closing.map((server) => (server.listening ? new Promise((resolve) => server.close(resolve)) : undefined)),
  );
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scgi-gateway-test-'));
  dirs.push(dir);
  return dir;
}

/** Destroyed after the test (client sockets a test may leave open on purpose). */
export function trackSocket(socket: Socket): Socket {
  sockets.push(socket);
  return socket;
}

/** A real SCGI worker (core's createServer) on a unix socket in a fresh temp dir. */
export async function startBackend(
  listener: RequestListener,
  options: ScgiServerOptions = {},
): Promise<Server> {
  const server = createScgiServer(listener, options);
  servers.push(server);
  server.listen(join(tempDir(), 'app.sock'));
  await once(server, 'listening');
  return server;
}

/**
 * A raw SCGI peer (a unix socket, or TCP on loopback when `tcp`): `onConnection` gets each connection's
 * socket and writes what it likes.
 */
export async function startRawBackend(
  onConnection: (socket: Socket) => void,
  { tcp = false } = {},
): Promise<NetServer> {
  const server = createNetServer((socket) => {
    socket.on('error', () => {});
    sockets.push(socket);
    onConnection(socket);
  });
  servers.push(server);
  if (tcp) server.listen(0, '127.0.0.1');
  else server.listen(join(tempDir(), 'raw.sock'));
  await once(server, 'listening');
  return server;
}

export interface StartedGateway {
  server: Server;
  port: number;
  url: string;
  /** Every log entry the gateway made. */
  logs: GatewayLogEntry[];
}

/** A gateway on 127.0.0.1:0 in front of `target`, logging into `logs`. */
export async function startGateway(options: GatewayOptions): Promise<StartedGateway> {
  const logs: GatewayLogEntry[] = [];
  const server = createGateway({ log: (entry) => logs.push(entry), ...options });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, port, url: `http://127.0.0.1:${port}`, logs };
}

/** Resolves when `emitter` emits 'close' (errors before it, such as an abort, are expected and ignored). */
export function closeOf(emitter: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    emitter.on('error', () => {});
    emitter.once('close', () => resolve());
  });
}

/** Register any other server for closing after the test. */
export function trackServer<T extends Closable>(server: T): T {
  servers.push(server);
  return server;
}
