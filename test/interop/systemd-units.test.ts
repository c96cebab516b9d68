// examples/deploy/systemd: socket activation done as the units say, with nginx in front of the worker.
import { once } from 'node:events';
import { chmodSync, chownSync, existsSync, renameSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './support/client.js';
import { headers, json } from './support/differential.js';
import { backendValue, startFrontServer } from './support/front-servers.js';
import { startChild, stopChild, waitForOutput } from './support/processes.js';
import { readTemplate, renderText } from './support/render.js';
import { makeSandbox, writeHtpasswd, wwwData } from './support/sandbox.js';
import { describeFrontServer } from './support/suite.js';

const APP_DIR = fileURLToPath(new URL('../../examples/express-app/', import.meta.url));

/** `Key=value` lines of a unit file, by key, in order (Environment= repeats). */
function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) settings.set(match[1]!, [...(settings.get(match[1]!) ?? []), match[2]!]);
  }
  return settings;
}

function only(settings: Map<string, string[]>, key: string): string {
  const values = settings.get(key) ?? [];
  if (values.length !== 1) throw new Error(`expected one ${key}= in the unit, found ${values.length}`);
  return values[0]!;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 30_000);

describeFrontServer('nginx', () => {
  describe('systemd', () => {
    it('socket activation as scgi-app.socket/.service say: the worker serves nginx on the inherited fd 3', async () => {
      const sandbox = makeSandbox('interop-systemd');
      cleanups.push(() => sandbox.remove());
      const socketPath = join(sandbox.dir, 'scgi.sock');
      const socketUnit = unitSettings(
        renderText(readTemplate('systemd/scgi-app.socket'), { SOCKET_PATH: socketPath }),
      );
      const serviceUnit = unitSettings(
        renderText(readTemplate('systemd/scgi-app.service'), { APP_DIR, SOCKET_PATH: socketPath }),
      );

      // What systemd does for the .socket unit: bind, set owner and mode, hold it without accepting.
      // Node cannot listen without accepting, so this test binds under a temporary name, hands the socket
      // to the worker, and closes its own copy (libuv unlinks the name it bound: hence the rename).
      expect(only(socketUnit, 'ListenStream')).toBe(socketPath);
      const listener: Server = createServer();
      listener.listen(`${socketPath}.binding`);
      await once(listener, 'listening');
      renameSync(`${socketPath}.binding`, socketPath);
      expect(only(socketUnit, 'SocketGroup')).toBe('www-data');
      chownSync(socketPath, 0, wwwData().gid);
      chmodSync(socketPath, Number.parseInt(only(socketUnit, 'SocketMode'), 8));

      // What systemd does for the .service unit: its environment, its directory, the socket as fd 3.
      const environment = Object.fromEntries(
        (serviceUnit.get('Environment') ?? []).map((entry) => entry.split(/=(.*)/s).slice(0, 2)),
      );
      expect(environment.SCGI_LISTEN).toBe('fd:3');
      const [program, ...args] = only(serviceUnit, 'ExecStart').split(' ');
      expect(program).toBe('/usr/bin/node'); // run with this test's node instead (Node 20, 22 or 24)
      const child = startChild('systemd-style worker', process.execPath, args, {
        cwd: only(serviceUnit, 'WorkingDirectory'),
        env: { ...process.env, ...environment, LISTEN_FDS: '1' },
        // The listening socket's descriptor, as the child's fd 3. Node has no public getter for a server's
        // fd: `_handle.fd` is libuv's, stable on Unix since Node 0.x.
        stdio: ['ignore', 'pipe', 'pipe', (listener as unknown as { _handle: { fd: number } })._handle.fd],
      });
      cleanups.push(() => stopChild(child));
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      await waitForOutput(child, /SCGI worker listening/, 30_000);

      const front = await startFrontServer('nginx', {
        dir: join(sandbox.dir, 'nginx'),
        values: {
          BACKEND: backendValue('nginx', { kind: 'unix', path: socketPath }),
          HTPASSWD: writeHtpasswd(join(sandbox.dir, 'htpasswd'), wwwData()),
        },
      });
      cleanups.push(() => front.stop());
      const answer = await send(front.port, { path: '/echo/systemd', headers: headers() });
      expect(json(answer)).toMatchObject({ path: '/echo/systemd' });
      const socket = statSync(socketPath);
      expect({ mode: socket.mode & 0o777, gid: socket.gid }).toEqual({ mode: 0o660, gid: wwwData().gid });

      // systemctl stop: SIGTERM, a clean exit; the worker leaves the socket file alone (it is systemd's).
      process.kill(child.pid, only(serviceUnit, 'KillSignal') as NodeJS.Signals);
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(existsSync(socketPath)).toBe(true);
    });
  });
});
