// (a) of the benchmark: the Express example as a plain CGI program, started for one request and gone.
// It loads the app, serves this request from the CGI environment, and exits: what "CGI" costs per request.
// The request reaches the app the bridge's way (a private unix socket, the bridge's own relay code), so
// (a) and (b) differ only in where the app lives: started per request, or long-running.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scgi } from '@scgi-node/core';
import { createApp } from '../../examples/express-app/dist/app.js';
import { runCgiBridge } from '../../packages/gateway/dist/cgi-bridge/bridge.js';
import { readRawEnvironment } from '../../packages/gateway/dist/cgi-bridge/raw-env.js';

const dir = mkdtempSync(join(tmpdir(), 'plain-cgi-'));
const socket = join(dir, 'app.sock');
const server = createApp().listen(scgi(socket));
await once(server, 'listening');
// The web server may kill a CGI program once its response is complete: clean up as soon as the one
// connection is in, not at exit (the path is not needed once connected).
server.once('connection', () => rmSync(dir, { recursive: true, force: true }));
let stdin;
const code = await runCgiBridge({
  env: { ...process.env, SCGI_NODE_SOCKET: `unix:${socket}` },
  rawEnv: readRawEnvironment(),
  stdin: () => {
    stdin ??= process.stdin;
    return stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
});
stdin?.destroy();
server.close();
process.exitCode = code;
