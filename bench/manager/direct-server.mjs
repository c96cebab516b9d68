// Bench design "direct": one process, no manager, listening on the unix socket itself (argv: app, socket path).
import { createServer } from 'node:http';
import { scgi } from '@scgi-node/core';

const [appPath, socketPath] = process.argv.slice(2);
const { default: app } = await import(appPath);
createServer(app).listen(scgi({ path: socketPath, mode: 0o666 }), () => process.send?.('ready'));
