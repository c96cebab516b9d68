// Bench design "direct": no manager; one process listening on the unix socket itself (argv: app, socket
// path), or with a count above 1 (design "cluster") that many node:cluster copies accepting on the
// socket their primary shares (SCHED_NONE, as the manager's workers accept on the one it passes them).
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { scgi } from '@scgi-node/core';
import { startCopies } from '../support/cluster-copies.mjs';

const [appPath, socketPath, countText = '1'] = process.argv.slice(2);
const count = Number(countText);

if (count > 1 && cluster.isPrimary) {
  await startCopies(count);
  process.send?.('ready');
} else {
  const { default: app } = await import(appPath);
  const server = createServer(app).listen(scgi({ path: socketPath, mode: 0o666 }));
  // A copy's 'listening' reaches the primary through cluster; only a lone process says ready itself.
  if (!cluster.isWorker) server.once('listening', () => process.send?.('ready'));
}
