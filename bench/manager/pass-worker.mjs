// Bench design "pass", worker side: an SCGI server fed with the connections the primary sends (argv: app).
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scgi } from '@scgi-node/core';

const { default: app } = await import(process.argv[2]);
const server = createServer(app);
// Listening on a private socket makes the server speak SCGI; the connections come from the primary.
server.listen(scgi(join(tmpdir(), `scgi-pass-${process.pid}.sock`)), () => process.send('ready'));
process.on('message', (message, socket) => {
  if (message === 'connection' && socket) server.emit('connection', socket);
});
