// Test support: steady load (N concurrent request loops) through the gateway or straight over SCGI, every outcome kept.
import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as scgiRequest } from '@scgi-node/core';
import { createGateway } from '@scgi-node/gateway';
import { afterEach } from 'vitest';

/** One request's fate. */
export interface Outcome {
  id: number;
  startedAt: number;
  endedAt: number;
  ok: boolean;
  status?: number;
  /** The app's JSON answer (pid, uid, path, version...), when there was one. */
  body?: Record<string, unknown>;
  error?: string;
  /** False when the connection was refused (no listener, or the socket file gone): never accepted. */
  connected: boolean;
}

export type Send = (id: number) => Promise<Omit<Outcome, 'id' | 'startedAt' | 'endedAt'>>;

/** Keeps `concurrency` requests in flight until stopped. */
export class SteadyLoad {
  readonly outcomes: Outcome[] = [];
  private running = true;
  private nextId = 0;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly send: Send,
    concurrency: number,
    /** Stop a loop after its first refused connection (the server is gone). */
    private readonly stopOnRefused = false,
  ) {
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  async stop(): Promise<Outcome[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.outcomes;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const id = this.nextId++;
      const startedAt = Date.now();
      const outcome = await this.send(id).catch((error: Error) => ({
        ok: false,
        error: error.message,
        connected: true,
      }));
      this.outcomes.push({ id, startedAt, endedAt: Date.now(), ...outcome });
      if (this.stopOnRefused && !outcome.connected) return;
    }
  }
}

const gateways: Server[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) {
    gateway.closeAllConnections();
    await new Promise((resolve) => gateway.close(resolve));
  }
});

/** The HTTP gateway in front of `target` (an SCGI socket path or host:port), on an ephemeral port. */
export async function startGateway(target: string): Promise<{ url: string; failures: unknown[] }> {
  const failures: unknown[] = [];
  const gateway = createGateway({ target, log: (entry) => failures.push(entry) });
  gateways.push(gateway);
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, failures };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** GET `url` (through the gateway); ok for a 200 with a JSON body. */
export function httpGet(url: string, headers: Record<string, string> = {}): ReturnType<Send> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ ok: res.statusCode === 200, status: res.statusCode, body: parse(text), connected: true }),
      );
      res.on('error', (error) =>
        resolve({ ok: false, status: res.statusCode, error: error.message, connected: true }),
      );
    });
    req.on('error', (error) => resolve({ ok: false, error: error.message, connected: true }));
    req.end();
  });
}

/** One SCGI request straight to the socket; a refused connection is told apart from a failure after accept. */
export async function scgiGet(target: string, url: string): ReturnType<Send> {
  try {
    const res = await scgiRequest(target, { url, headTimeoutMs: 20_000 });
    const text = await res.text();
    return { ok: res.status === 200, status: res.status, body: parse(text), connected: true };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    return { ok: false, error: `${code ?? ''} ${message}`, connected: code !== 'ERR_SCGI_CONNECT' };
  }
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}
