// The worker's pid file, and whether a pid is a live process (a zombie is not).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const PID = /^\s*([0-9]+)\s*(?:\n|$)/;

/** The pid in `path`'s first line; undefined when the file is missing, empty or not a pid. */
export function readPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const match = PID.exec(text);
  const pid = match === null ? Number.NaN : Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Write `pid` atomically (temp file, then rename): a reader never sees a half-written file. */
export function writePid(path: string, pid: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${pid}\n`);
  renameSync(temp, path);
}

/**
 * True when `pid` is a running process. EPERM (it exists, owned by another user) counts as alive. A
 * zombie (exited, not yet reaped: a worker whose parent bridge is gone, in a container without an init
 * that reaps) counts as dead, read from /proc where there is one.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ...": the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No such entry: gone since kill(), or a system without /proc (then kill() has the last word).
    return !existsSync('/proc/self/stat');
  }
}
