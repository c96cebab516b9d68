// A hello-world worker for the transport benchmark: `http` serves node:http, `scgi` the same handler over SCGI,
// `trivial` the one-file SCGI responder (the ceiling for any SCGI transport).
import { createServer } from 'node:http';

const [mode, path] = process.argv.slice(2);
const hello = (_req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end('Hello, world!\n');
};
const server =
  mode === 'trivial'
    ? (await import('./trivial-responder.mjs')).createTrivialResponder()
    : createServer(hello);
if (mode === 'trivial') {
  server.listen(path, ready);
} else if (mode === 'scgi') {
  const { scgi } = await import('@scgi-node/core');
  server.listen(scgi(path, JSON.parse(process.env.SCGI_OPTIONS ?? '{}')), ready);
} else {
  server.listen(path, ready);
}
function ready() {
  process.send?.('ready');
}
// The benchmark asks for CPU time around each round: server CPU per request is the transport's cost.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
