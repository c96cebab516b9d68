// A bad info file under a real CGI host: a short 500 page for the client, one clear log line for the operator.
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CgiHost, startCgiHost } from './support/cgi-host.js';
import { send } from './support/http.js';
import {
  killWorkers,
  readText,
  type WorkerPlace,
  workerInfo,
  workerPlace,
  writeInfo,
} from './support/workers.js';

let root: string;
let host: CgiHost;
let place: WorkerPlace;
let infoPath: string | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'scgi-cgi-config-'));
  host = await startCgiHost(join(root, 'lighttpd'));
  place = workerPlace(root, 'app');
});

afterEach(() => {
  if (infoPath !== undefined) unlinkSync(infoPath);
  infoPath = undefined;
});

afterAll(async () => {
  killWorkers([place]);
  await host?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Request `path` with the info file `info` in place; the reply and the bridge's new stderr lines. */
async function requestWith(info: Record<string, unknown> | string, path = '/api/items') {
  infoPath = writeInfo(host.docroot, info);
  const before = host.stderrLines().length;
  const reply = await send(`${host.url}${path}`);
  return { reply, lines: host.stderrLines().slice(before) };
}

describe('a bad info file -> 500, the file, the field and the problem in one log line', () => {
  it('invalid JSON', async () => {
    const { reply, lines } = await requestWith('{ "socket": "unix:/x.sock", }');
    // Written as app.scgi (text) but starting with "{": read as JSON.
    expect(reply.status).toBe(500);
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(reply.text).toBe(
      '500 Internal Server Error\nThe application gateway is misconfigured.\n(ERR_CGI_INFO_SYNTAX)\n',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`GET /api/items -> 500: ${infoPath}: invalid JSON`);
    expect(lines[0]).toContain('[ERR_CGI_INFO_SYNTAX]');
  });

  it('a value of the wrong type names the field, and also goes to the info file’s log', async () => {
    const { reply, lines } = await requestWith({ ...workerInfo(place), startTimeoutMs: 'soon' });
    expect(reply.status).toBe(500);
    expect(reply.text).toContain('(ERR_CGI_INFO_BAD_VALUE)');
    expect(reply.text).not.toContain(infoPath!); // paths stay in the log
    const expected = `${infoPath}: field "startTimeoutMs": must be an integer >= 0 (milliseconds), got "soon"`;
    expect(lines).toEqual([expect.stringContaining(expected)]);
    expect(readText(place.logFile)).toContain(expected);
  });

  it('an unknown field (a typo) is refused, not ignored', async () => {
    const { reply, lines } = await requestWith({ ...workerInfo(place), responseTimeout: 5000 });
    expect(reply.status).toBe(500);
    expect(lines).toEqual([
      expect.stringMatching(
        /field "responseTimeout": unknown field \(known: socket, pidFile, .*\) \[ERR_CGI_INFO_UNKNOWN_FIELD\]/,
      ),
    ]);
  });

  it('a missing socket', async () => {
    const { reply, lines } = await requestWith({ command: ['node', 'app.js'] });
    expect(reply.status).toBe(500);
    expect(lines).toEqual([expect.stringContaining('field "socket": is required')]);
    expect(lines[0]).toContain('[ERR_CGI_INFO_MISSING_FIELD]');
  });

  it('a bad socket address', async () => {
    const { lines } = await requestWith({ socket: 'localhost' });
    expect(lines).toEqual([
      expect.stringContaining(
        'field "socket": must be "unix:/path.sock", a socket path, "host:port" or "[v6]:port"',
      ),
    ]);
  });

  it('a key = value file with a broken line names the line', async () => {
    const { reply, lines } = await requestWith(`# app.scgi
socket = unix:${place.socket}
this line has no equals sign
`);
    expect(reply.status).toBe(500);
    expect(lines).toEqual([expect.stringContaining(`${infoPath}: line 3 is not "key = value"`)]);
  });

  it('a HEAD request gets the status without a body', async () => {
    infoPath = writeInfo(host.docroot, { socket: 42 });
    const reply = await send(`${host.url}/`, { method: 'HEAD' });
    expect(reply.status).toBe(500);
    expect(reply.body.length).toBe(0);
  });

  it('no info file and no SCGI_NODE_SOCKET: 500 naming both ways to configure it', async () => {
    const before = host.stderrLines().length;
    const reply = await send(`${host.url}/`);
    expect(reply.status).toBe(500);
    expect(reply.text).toContain('(ERR_CGI_NO_TARGET)');
    expect(host.stderrLines().slice(before)).toEqual([
      expect.stringContaining(
        'no info file (SCGI_NODE_INFO, an argument, or <script>.scgi.json beside SCRIPT_FILENAME)',
      ),
    ]);
  });

  it('a good key = value file works (the same fields as JSON)', async () => {
    const { reply, lines } = await requestWith(`# app.scgi: the worker behind app.cgi
socket = unix:${place.socket}
pidFile = ${place.pidFile}
logFile = ${place.logFile}
command = ${workerInfo(place)
      .command.map((word) => `"${word}"`)
      .join(' ')}
env.SCGI_LISTEN = ${place.socket}
startTimeoutMs = 15000
bufferResponse = yes
`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ items: [] });
    expect(lines).toEqual([]);
  });
});
