// Test support: a real `scgi-node serve` process, its JSON log lines, its status socket, and its cleanup by pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManagerStatus } from '@scgi-node/manager';
import { afterEach } from 'vitest';

/** The scgi-node bin, as built (`cd packages/manager && npx tsc -p tsconfig.build.json`). */
export const CLI = fileURLToPath(new URL('../../../packages/manager/dist/cli.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** One JSON log line of the manager. */
export interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface StartOptions {
  /** Extra environment for the manager (and so its workers). */
  env?: NodeJS.ProcessEnv;
  /** Ask for no status socket (the default adds `--status-socket <dir>/status.sock`). */
  noStatus?: boolean;
}

const started: ManagerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((manager) => manager.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp dir (removed after the test), for sockets and app copies. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scgi-manager-'));
  dirs.push(dir);
  return dir;
}

/** A running manager started by a test; stopped (and its workers killed by pid if need be) after it. */
export class ManagerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logs: LogLine[] = [];
  /** stderr lines that are not JSON (the app's own output, Node warnings). */
  readonly otherStderr: string[] = [];
  stdout = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly listeners = new Set<() => void>();

  constructor(
    args: string[],
    env: NodeJS.ProcessEnv,
    readonly statusSocket: string | undefined,
  ) {
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.pid = this.child.pid!;
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({ code, signal }) as never);
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.changed();
    });
    let partial = '';
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.otherStderr.push(line);
        }
      }
      this.changed();
    });
  }

  /** Resolves with the value once `check()` returns one (re-checked on each output), or fails after `timeoutMs`. */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const value = check();
        if (value === undefined) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; log:\n${this.logText()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = () => void attempt();
      if (!attempt()) this.listeners.add(listener);
    });
  }

  /** The first log line from index `from` on that matches. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number, from = 0): Promise<LogLine> {
    return this.waitFor('a log line', () => this.logs.slice(from).find(predicate), timeoutMs);
  }

  /** Waits for the readiness line on stdout; returns what follows "on " (the listen description). */
  async ready(timeoutMs?: number): Promise<string> {
    const match = await this.waitFor(
      'readiness',
      () => /scgi-node: ready.* on (.+?)(,|\n)/.exec(this.stdout) ?? undefined,
      timeoutMs,
    );
    return match[1]!;
  }

  logText(): string {
    return [...this.logs.map((line) => JSON.stringify(line)), ...this.otherStderr].join('\n');
  }

  messages(msg: string): LogLine[] {
    return this.logs.filter((line) => line.msg === msg);
  }

  /** Every worker pid the manager has logged starting. */
  workerPids(): number[] {
    return this.messages('worker started').map((line) => line.pid as number);
  }

  status(): Promise<ManagerStatus> {
    const socketPath = this.statusSocket;
    if (socketPath === undefined) throw new Error('started without a status socket');
    return new Promise((resolve, reject) => {
      get({ socketPath, path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body) as ManagerStatus));
      }).on('error', reject);
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited in time; any worker left behind is killed by its pid. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    for (const pid of this.workerPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone, as it should be
      }
    }
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Start `scgi-node serve <app> ...flags` with JSON logs (and a status socket in `dir`). */
export function startManager(
  app: string,
  flags: string[],
  dir: string,
  options: StartOptions = {},
): ManagerProcess {
  const statusSocket = options.noStatus ? undefined : join(dir, 'status.sock');
  const args = ['serve', app, '--log-format', 'json', ...flags];
  if (statusSocket !== undefined) args.push('--status-socket', statusSocket);
  const manager = new ManagerProcess(args, { ...process.env, ...options.env }, statusSocket);
  started.push(manager);
  return manager;
}

/** Whether a process is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
