// Starts the worker command detached: its own session, stdio to the log file, no descriptor of the web server.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { isRequestVariable } from './cgi-env.js';
import type { CgiBridgeConfig } from './config.js';

/** PATH for a worker started from a CGI environment without one (lighttpd passes none). */
const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const O_CLOEXEC = 0o2000000;

/**
 * The worker's environment: the bridge's own, without the request's variables (REQUEST_METHOD, HTTP_*,
 * HTTP_PROXY above all, SCGI_NODE_*), with a PATH that finds this Node, then the configuration's `env`.
 */
export function workerEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  config: Pick<CgiBridgeConfig, 'env'>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !isRequestVariable(name)) result[name] = value;
  }
  result.PATH = `${dirname(process.execPath)}${delimiter}${result.PATH || FALLBACK_PATH}`;
  // The CGI program's folder, not the worker's (it runs in `cwd`): a stale PWD misleads shells and tools.
  delete result.PWD;
  return { ...result, ...config.env };
}

/**
 * Close descriptors this process inherited without close-on-exec (lighttpd leaks the script's file and a
 * pipe of its own into CGI programs): a detached worker would otherwise hold them for its whole life.
 * Node's own descriptors are all close-on-exec; the IPC channel of a forked Node is kept. Linux only
 * (/proc); elsewhere nothing is closed.
 */
export function closeInheritedDescriptors(): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc/self/fd');
  } catch {
    return;
  }
  const channel = (process as { channel?: { fd?: number } }).channel?.fd;
  for (const entry of entries) {
    const fd = Number(entry);
    if (!(fd > 2) || fd === channel) continue;
    try {
      const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
      const flags = /^flags:\s*([0-7]+)/m.exec(info);
      if (flags !== null && (Number.parseInt(flags[1]!, 8) & O_CLOEXEC) === 0) closeSync(fd);
    } catch {
      // The descriptor was the directory listing itself, or is already gone.
    }
  }
}

/**
 * Spawn `config.command` detached (`setsid`: its own session and process group, so the web server's
 * cleanup of this CGI process never reaches it), stdout and stderr appended to `logFile` (or discarded),
 * stdin from /dev/null. `node` as the first word means the Node running the bridge.
 */
export function spawnWorker(
  config: Pick<CgiBridgeConfig, 'command' | 'cwd' | 'env' | 'logFile'>,
  env: Readonly<Record<string, string | undefined>>,
): ChildProcess {
  const [file, ...args] = config.command!;
  const executable = file === 'node' ? process.execPath : file!;
  closeInheritedDescriptors();
  const output = config.logFile === undefined ? 'ignore' : openSync(config.logFile, 'a', 0o640);
  try {
    return spawn(executable, args, {
      cwd: config.cwd,
      env: workerEnvironment(env, config),
      detached: true,
      stdio: ['ignore', output, output],
    });
  } finally {
    // The child has its own copy; the bridge's must not keep the log open.
    if (typeof output === 'number') closeSync(output);
  }
}
