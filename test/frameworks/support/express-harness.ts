// Shared setup for the Express tests: both majors, apps started with app.listen(scgi(...)), closed after each test.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type ScgiTarget, scgi } from '@scgi-node/express';
import express4 from 'express4';
import express5 from 'express5';
import { afterEach } from 'vitest';
import type { Express } from '../../../node_modules/.pnpm/node_modules/@types/express/index.js';

export type {
  Express,
  NextFunction,
  Request,
  Response,
} from '../../../node_modules/.pnpm/node_modules/@types/express/index.js';

/** The Express module's type (both majors are typed with @types/express 5). */
export type ExpressModule = typeof express5;

export interface ExpressFlavour {
  /** Test title, e.g. `Express 4`. */
  name: string;
  major: 4 | 5;
  express: ExpressModule;
  /** The installed version, read from the alias's own package.json. */
  version: string;
}

const requireHere = createRequire(import.meta.url);
const versionOf = (alias: string): string =>
  (requireHere(`${alias}/package.json`) as { version: string }).version;

/** Every test runs once per entry: `describe.each(EXPRESS_VERSIONS)('$name', (flavour) => ...)`. */
export const EXPRESS_VERSIONS: readonly ExpressFlavour[] = [
  { name: 'Express 4', major: 4, express: express4, version: versionOf('express4') },
  { name: 'Express 5', major: 5, express: express5, version: versionOf('express5') },
];

const servers = new Set<Server>();
const tempDirs: string[] = [];

afterEach(async () => {
  for (const server of servers) {
    servers.delete(server);
    server.closeAllConnections();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** `app.listen(scgi(0))` exactly as an app would write it; resolves once listening, closed after the test. */
export async function listen(app: Express, target: ScgiTarget = scgi(0)): Promise<Server> {
  const server = app.listen(target);
  servers.add(server);
  if (!server.listening) await once(server, 'listening');
  return server;
}

/** Close a server after the test (one the test started itself, e.g. a node:http comparison). */
export function track(server: Server): Server {
  servers.add(server);
  return server;
}

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scgi-express-'));
  tempDirs.push(dir);
  return dir;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A bounded wait for liveness: rejects with `what` if `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Poll `condition` every 10 ms until it holds; fails after `ms`. */
export async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Accumulates a response body as it arrives, so a test can look at it before it ends. */
export function accumulate(body: Readable): { text(): string; ended: Promise<void> } {
  let received = '';
  body.setEncoding('utf8');
  body.on('data', (chunk: string) => {
    received += chunk;
  });
  return { text: () => received, ended: once(body, 'end').then(() => undefined) };
}

let gcFunction: (() => void) | undefined;

/** A full garbage collection, so memory samples show what is retained rather than what awaits collection. */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
}
