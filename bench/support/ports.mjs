// Free loopback ports for a bench's servers. All are held open until every one is picked, so the kernel
// cannot hand out the same port twice (a port freed and re-picked at once gave nginx a duplicate listen).
import { once } from 'node:events';
import { createServer } from 'node:net';

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
