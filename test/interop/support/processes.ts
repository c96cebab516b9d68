// Child processes for the interop tests: start with captured output, wait for a log line, stop by pid.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A started child: its pid, everything it printed so far, and how it ended (once it has). */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** stdout and stderr interleaved, for error messages. */
  output(): string;
  /** Resolves when the process has exited (with its code or signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Children not yet seen to exit: killed with their groups if this process exits first. */
const live = new Set<number>();
process.once('exit', () => {
  // A test that timed out may never reach its afterAll: leave no server or worker behind.
  for (const pid of live) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Spawn `command` in its own process group (so a fallback SIGKILL also reaches its workers). */
export function startChild(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...options });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  live.add(pid);
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000); // a chatty child must not eat memory
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(pid);
      resolve({ code, signal });
    });
  });
  child.once('error', (error) => append(Buffer.from(`\n[spawn error] ${error.message}\n`)));
  return { name, process: child, pid, output: () => output, exited };
}

/** Resolve with the first match of `pattern` in the child's output; reject if it exits first or on timeout. */
export function waitForOutput(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(child.output());
      if (match === null) return false;
      finish();
      resolve(match);
      return true;
    };
    const onData = () => void check();
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`${child.name}: no ${pattern} within ${timeoutMs} ms; output:\n${child.output()}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      child.process.stdout?.off('data', onData);
      child.process.stderr?.off('data', onData);
    };
    child.process.stdout?.on('data', onData);
    child.process.stderr?.on('data', onData);
    void child.exited.then(({ code, signal }) => {
      if (check()) return;
      finish();
      reject(
        new Error(`${child.name} exited (${signal ?? code}) before ${pattern}; output:\n${child.output()}`),
      );
    });
    check();
  });
}

/**
 * Stop a child by its pid: `signal` (SIGTERM unless told), then SIGKILL to its whole process group if it
 * has not exited within `graceMs`. Resolves once it has exited.
 */
export async function stopChild(
  child: Child,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5000,
): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    return; // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL'); // its group: nginx workers, Apache children
      } catch {
        // gone in the meantime
      }
      resolve();
    }, graceMs);
  });
  await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  await child.exited;
}

/** A TCP port on 127.0.0.1 free a moment ago (bind port 0, read it, close); the caller retries on EADDRINUSE. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
