// Test support: what a test leaves open (file descriptors, connections), waited for with a bounded poll.
import { readdirSync, readlinkSync } from 'node:fs';
import type { Server } from 'node:net';

/** This process's open descriptors as `fd -> target` (`socket:[inode]`, a path, …): a new socket or file
 * shows up as a new entry even when it reuses the number of one closed meanwhile. */
export function openFds(): Set<string> {
  const fds = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      fds.add(`${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`);
    } catch {
      // closed between the listing and the readlink (the listing's own directory fd, for one)
    }
  }
  return fds;
}

/** Descriptors open now that were not open at `baseline`. */
export function newFds(baseline: Set<string>): string[] {
  return [...openFds()].filter((fd) => !baseline.has(fd));
}

/** The server's open connections. */
export function connectionCount(server: Pick<Server, 'getConnections'>): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Poll `check` until it returns true, for up to `timeoutMs` (a bounded wait for cleanup, not a speed test). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until `servers` have no connection and no descriptor opened since `baseline` is left; reports both. */
export async function settledState(
  baseline: Set<string>,
  servers: ReadonlyArray<Pick<Server, 'getConnections'>>,
): Promise<{ newFds: string[]; connections: number[] }> {
  const read = async () => ({
    newFds: newFds(baseline),
    connections: await Promise.all(servers.map(connectionCount)),
  });
  await waitFor(async () => {
    const state = await read();
    return state.newFds.length === 0 && state.connections.every((count) => count === 0);
  });
  return read();
}
