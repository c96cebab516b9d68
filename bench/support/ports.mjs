// Free loopback ports for a bench's servers, and waiting for a server to accept. All ports are held open
// until every one is picked, so the kernel cannot hand out the same port twice (a port freed and
// re-picked at once gave nginx a duplicate listen).
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

/** `count` distinct loopback ports, free a moment ago (bound, then released together). */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let index = 0; index < count; index++) {
      const server = createServer().listen(0, '127.0.0.1');
      servers.push(server);
      await once(server, 'listening');
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/**
 * Resolves once `target` (net.connect's options: `{ port, host }` or `{ path }`) accepts a connection,
 * which is closed at once without a byte; throws if `child`, the server's process, exits first, or after
 * `attempts` tries 50 ms apart. `name` is what the errors call the server.
 */
export async function waitUntilAccepting(target, child, name, attempts) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const accepted = await new Promise((resolve) => {
      const socket = connect(target, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (accepted) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} did not accept on ${JSON.stringify(target)}`);
}
