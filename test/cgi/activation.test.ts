// Process activation under a real CGI host (lighttpd mod_cgi): the bridge starts, restarts and gives up on workers.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CgiHost, startCgiHost } from './support/cgi-host.js';
import { send } from './support/http.js';
import {
  isRunning,
  killWorkers,
  nothingListens,
  PROBE_WORKER,
  pidFromFile,
  readText,
  readyLines,
  startedPids,
  WORKER,
  type WorkerPlace,
  waitFor,
  workerInfo,
  workerPlace,
  writeInfo,
} from './support/workers.js';

let root: string;
let host: CgiHost;
const places: WorkerPlace[] = [];
const sleepers: number[] = [];

const BARRIER = fileURLToPath(new URL('fixtures/start-barrier.mjs', import.meta.url));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'scgi-cgi-activation-'));
  // Each bridge may be held at a barrier (see the 50-request test); without a barrier file it runs at once.
  host = await startCgiHost(join(root, 'lighttpd'), {
    env: { NODE_OPTIONS: `--import=${BARRIER}`, BARRIER_FILE: join(root, 'barrier') },
  });
});

afterEach(() => {
  killWorkers(places);
  places.length = 0;
  for (const pid of sleepers.splice(0)) process.kill(pid, 'SIGKILL');
});

afterAll(async () => {
  await host?.stop();
  rmSync(root, { recursive: true, force: true });
});

function place(name: string): WorkerPlace {
  const where = workerPlace(root, name);
  places.push(where);
  return where;
}

/** What each open descriptor of `pid` points at; one closed between the listing and its read is skipped. */
function openDescriptors(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // lighttpd closes connections meanwhile
      throw error;
    }
  });
}

describe(`the first request starts the worker (${WORKER.kind})`, () => {
  it('starts it detached, writes its pid, answers, and the next request reuses it', async () => {
    const where = place('first');
    writeInfo(host.docroot, workerInfo(where));
    const first = await send(`${host.url}/api/items`);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ items: [] });
    const pid = pidFromFile(where);
    expect(pid).toBeDefined();
    expect(isRunning(pid!)).toBe(true);
    expect(startedPids(where)).toEqual([pid]);
    // Its own session: the web server's cleanup of the CGI process cannot reach it.
    const stat = readText(`/proc/${pid}/stat`).split(') ')[1]!.split(' ');
    expect(Number(stat[3])).toBe(pid); // session id (field 6 of /proc/pid/stat) is its own pid

    const created = await send(`${host.url}/api/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'kept' }),
    });
    expect(created.status).toBe(201);
    // The same long-running process: it remembers the item, and nothing new was started.
    expect(JSON.parse((await send(`${host.url}/api/items`)).text).items).toHaveLength(1);
    expect(startedPids(where)).toEqual([pid]);
    expect(readyLines(where)).toBe(1);
  });

  it('50 simultaneous first requests start exactly one worker', async () => {
    const where = place('fifty');
    writeInfo(host.docroot, workerInfo(where));
    // lighttpd starts the fifty bridges one after another; the barrier releases them at one instant, so
    // they all find no worker at once and the start lock (not luck) decides who starts it.
    writeFileSync(join(root, 'barrier'), String(Date.now() + 3000));
    const replies = await Promise.all(Array.from({ length: 50 }, () => send(`${host.url}/api/items`)));
    rmSync(join(root, 'barrier'));
    expect(
      replies.map((reply) => reply.status),
      host.stderrLines().join('\n'),
    ).toEqual(Array(50).fill(200));
    expect(startedPids(where)).toHaveLength(1);
    expect(readyLines(where)).toBe(1);
    expect(pidFromFile(where)).toBe(startedPids(where)[0]);
  });

  it('a worker killed between requests is started again by the next request', async () => {
    const where = place('restart');
    writeInfo(host.docroot, workerInfo(where));
    expect((await send(`${host.url}/api/items`)).status).toBe(200);
    const firstPid = pidFromFile(where)!;
    process.kill(-firstPid, 'SIGKILL');
    // Gone means every process of its group: one still holding the listening socket would accept.
    await waitFor(() => nothingListens(where.socket), 10_000, 'the killed worker to be gone');
    expect(isRunning(firstPid)).toBe(false);

    const reply = await send(`${host.url}/api/items`);
    expect(reply.status, host.stderrLines().join('\n')).toBe(200);
    const secondPid = pidFromFile(where)!;
    expect(secondPid).not.toBe(firstPid);
    expect(isRunning(secondPid)).toBe(true);
    expect(startedPids(where)).toEqual([firstPid, secondPid]);
  });

  it('the worker inherits no descriptor of the web server', async () => {
    const where = place('descriptors');
    writeInfo(host.docroot, workerInfo(where));
    expect((await send(`${host.url}/`)).status).toBe(200);
    const pid = pidFromFile(where)!;
    const links = openDescriptors(pid);
    // lighttpd hands its CGI programs the script file and a pipe of its own without close-on-exec.
    expect(links.filter((link) => link.endsWith('app.cgi') || link.endsWith('cli.js'))).toEqual([]);
    const hostPid = Number(readText(join(root, 'lighttpd', 'lighttpd.pid')));
    const hostLinks = new Set(openDescriptors(hostPid));
    expect(links.filter((link) => link.startsWith('pipe:') && hostLinks.has(link))).toEqual([]);
  });

  it('a stale start lock (its bridge died) is removed and the worker started', async () => {
    const where = place('stale-lock');
    writeInfo(host.docroot, workerInfo(where));
    writeFileSync(
      `${where.pidFile}.lock`,
      JSON.stringify({ pid: 999_999_999, nonce: 'dead', at: Date.now() }),
    );
    expect((await send(`${host.url}/api/items`)).status).toBe(200);
    expect(readText(where.logFile)).toContain('removed the stale start lock of pid 999999999');
    expect(startedPids(where)).toHaveLength(1);
  });
});

describe('a worker that cannot serve -> 503, with the cause in the log', () => {
  it('a worker that hangs: 503 after responseTimeoutMs', async () => {
    const where = place('hang');
    writeInfo(host.docroot, {
      ...workerInfo(where, { responseTimeoutMs: 1000 }, PROBE_WORKER),
      env: { SCGI_LISTEN: where.socket, PROBE_MARKER: join(where.dir, 'marker'), NODE_OPTIONS: '' },
    });
    expect((await send(`${host.url}/echo`)).status).toBe(200); // started and answering
    const started = Date.now();
    const reply = await send(`${host.url}/hang`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(reply.status).toBe(503);
    expect(reply.text).toContain('ERR_CGI_WORKER_UNRESPONSIVE');
    const line = 'GET /hang -> 503: the worker sent no response head within 1000 ms (responseTimeoutMs)';
    expect(host.stderrLines().filter((entry) => entry.includes(line))).toHaveLength(1);
    expect(readText(where.logFile)).toContain(line);
    expect(isRunning(pidFromFile(where)!)).toBe(true); // alive, just slow: not killed
  });

  it('a command that exits: 503, and the log has its exit code and last lines', async () => {
    const where = place('exits');
    writeInfo(host.docroot, {
      ...workerInfo(where),
      command: ['node', '-e', 'console.error("boom: DATABASE_URL is not set"); process.exit(3)'],
    });
    const reply = await send(`${host.url}/api/items`);
    expect(reply.status).toBe(503);
    expect(reply.text).toContain('ERR_CGI_START_FAILED');
    expect(reply.text).not.toContain('DATABASE_URL'); // details go to the log, not to the client
    const lines = host
      .stderrLines()
      .filter((line) => line.includes(`${where.pidFile}`) || line.includes('boom'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /exited with code 3 before it accepted a connection; its log ends: boom: DATABASE_URL/,
    );
    expect(readText(where.logFile)).toMatch(/-> 503: worker pid \d+ exited with code 3/);
  });

  it('a command that cannot run: 503 naming it', async () => {
    const where = place('missing');
    writeInfo(host.docroot, { ...workerInfo(where), command: [join(where.dir, 'no-such-program')] });
    const reply = await send(`${host.url}/`);
    expect(reply.status).toBe(503);
    expect(
      host.stderrLines().some((line) => line.includes('no-such-program') && line.includes('ENOENT')),
    ).toBe(true);
  });

  it('a worker that never listens: 503 after startTimeoutMs, and it is killed', async () => {
    const where = place('never-listens');
    writeInfo(host.docroot, {
      ...workerInfo(where),
      command: ['node', '-e', 'console.log("starting slowly"); setInterval(() => {}, 1000)'],
      startTimeoutMs: 1500,
    });
    const reply = await send(`${host.url}/`);
    expect(reply.status).toBe(503);
    expect(reply.text).toContain('ERR_CGI_START_TIMEOUT');
    const [pid] = startedPids(where);
    await waitFor(() => !isRunning(pid!), 10_000, 'the stuck worker to be killed');
    expect(host.stderrLines().some((line) => line.includes(`worker pid ${pid} was killed`))).toBe(true);
  });

  it('a live process owns the pid file but does not accept: 503, and no second worker', async () => {
    const where = place('alive-not-listening');
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    sleepers.push(sleeper.pid!);
    writeFileSync(where.pidFile, `${sleeper.pid}\n`);
    writeInfo(host.docroot, { ...workerInfo(where), startTimeoutMs: 1000 });
    const reply = await send(`${host.url}/`);
    expect(reply.status).toBe(503);
    expect(reply.text).toContain('ERR_CGI_WORKER_UNRESPONSIVE');
    expect(startedPids(where)).toEqual([]);
    expect(host.stderrLines().some((line) => line.includes(`worker pid ${sleeper.pid}`))).toBe(true);
  });

  it('no command and nothing listening: 503 worker down', async () => {
    const where = place('no-command');
    writeInfo(host.docroot, { socket: `unix:${where.socket}` });
    const reply = await send(`${host.url}/`);
    expect(reply.status).toBe(503);
    expect(reply.text).toContain('ERR_CGI_WORKER_DOWN');
  });
});
