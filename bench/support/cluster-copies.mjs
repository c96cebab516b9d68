// A node:cluster primary whose copies accept on the socket it shares (SCHED_NONE), as the manager's
// workers accept on the one it passes them: node's default round-robin would hand every connection
// through the primary, a cost that is not the compared transport's.
import cluster from 'node:cluster';
import { once } from 'node:events';

/** Forks `count` copies of this script, resolves once all listen; SIGTERM stops them with the primary. */
export async function startCopies(count) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const copies = Array.from({ length: count }, () => cluster.fork());
  await Promise.all(copies.map((copy) => once(copy, 'listening')));
  process.once('SIGTERM', () => {
    for (const copy of copies) copy.kill('SIGTERM');
    process.exit(0);
  });
}
