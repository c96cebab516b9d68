// Bench design "pass": a prototype of primary-accepts-and-passes (what cluster's round-robin does): the
// primary accepts each connection and sends its handle to a worker over IPC (argv: app, socket, workers).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync } from 'node:fs';
import { createServer } from 'node:net';

const [appPath, socketPath, count = '1'] = process.argv.slice(2);
const workers = [];
for (let n = 0; n < Number(count); n++) {
  const worker = fork(new URL('./pass-worker.mjs', import.meta.url), [appPath], { stdio: 'inherit' });
  await once(worker, 'message');
  workers.push(worker);
}
let next = 0;
// pauseOnConnect: no byte is read here; the worker reads the whole request.
const server = createServer({ pauseOnConnect: true }, (socket) => {
  workers[next++ % workers.length].send('connection', socket);
});
server.listen(socketPath, () => {
  chmodSync(socketPath, 0o666);
  process.send?.('ready');
});
process.on('SIGTERM', () => {
  for (const worker of workers) worker.kill();
  server.close(() => process.exit(0));
});
