#!/usr/bin/env node
// `node dist/cli.js --target unix:/run/app.sock --listen 127.0.0.1:8080`: the gateway from a shell.
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { scgi } from '@scgi-node/core';
import { createGateway } from './gateway.js';

const USAGE = `Usage: node dist/cli.js --target <unix:/path.sock | host:port | port> [options]

Serves an SCGI backend over HTTP (a development front; use nginx, Apache or lighttpd in production).

  --target <where>           the SCGI backend (required)
  --listen <host:port>       where to serve HTTP (default 127.0.0.1:8080; a port alone means 127.0.0.1)
  --backend-timeout-ms <n>   time to reach the backend and get its response head (default 60000)
  --buffer-responses         read whole responses before sending them (frees workers from slow clients)
  --quiet                    do not log failed requests
  --help                     show this text
`;

/** Exit codes: 0 after a clean stop, 1 when the server fails, 2 for bad arguments. */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
/** Keep-alive clients get this long to finish before their connections are dropped. */
const STOP_GRACE_MS = 5_000;

function fail(message: string, code: number): never {
  process.stderr.write(`scgi-gateway: ${message}\n`);
  process.exit(code);
}

function main(): void {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`, EXIT_USAGE);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (values.target === undefined) fail(`--target is required\n\n${USAGE}`, EXIT_USAGE);
  const timeout = values['backend-timeout-ms'];
  let server: ReturnType<typeof createGateway>;
  let listen: { port?: number; host?: string; path?: string };
  try {
    server = createGateway({
      target: values.target,
      backendTimeoutMs: timeout === undefined ? undefined : Number(timeout),
      responseBuffering: { enabled: values['buffer-responses'] === true },
      log: values.quiet ? 'silent' : undefined,
    });
    // Core's target syntax: `8080` and `host:8080` bind loopback unless a host says otherwise.
    listen = scgi(values.listen ?? '127.0.0.1:8080').listen;
  } catch (error) {
    fail((error as Error).message, EXIT_USAGE);
  }
  server.once('error', (error) => fail(`cannot listen: ${error.message}`, EXIT_FAILURE));
  server.listen(listen, () => {
    const address = server.address() as AddressInfo | string;
    const url =
      typeof address === 'string'
        ? `unix:${address}`
        : `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
    process.stdout.write(`scgi-gateway: ${url} -> ${values.target}\n`);
  });

  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`scgi-gateway: ${signal}, stopping\n`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function parse() {
  return parseArgs({
    options: {
      target: { type: 'string' },
      listen: { type: 'string' },
      'backend-timeout-ms': { type: 'string' },
      'buffer-responses': { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
}

main();
