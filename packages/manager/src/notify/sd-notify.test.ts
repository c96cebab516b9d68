// sd_notify through the real systemd-notify, received on a real unix datagram socket (bound by perl: Node has none).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { notifyReady, notifyReloading, notifyStatus, notifyStopping, sdNotify } from './sd-notify.js';

/** Prints every datagram it receives as one line, `\n` inside it written as `|`. */
const RECEIVER = `
use Socket;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
bind($s, pack_sockaddr_un($ARGV[0])) or die "bind: $!";
$| = 1;
print "listening\\n";
while (defined(recv($s, my $buf, 65536, 0))) { $buf =~ s/\\n/|/g; print "$buf\\n"; }
`;

const receivers: ChildProcess[] = [];

afterEach(async () => {
  for (const child of receivers.splice(0)) {
    const exited = child.exitCode === null ? once(child, 'exit') : undefined;
    child.kill('SIGKILL');
    await exited;
  }
});

/** A NOTIFY_SOCKET and the datagrams that reach it. */
async function notifySocket(): Promise<{ path: string; next(): Promise<string> }> {
  const path = join(mkdtempSync(join(tmpdir(), 'scgi-notify-')), 'notify.sock');
  const child = spawn('perl', ['-e', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  receivers.push(child);
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<string>((resolve) => {
      const line = lines.shift();
      if (line !== undefined) resolve(line);
      else waiting.push(resolve);
    });
  expect(await next()).toBe('listening');
  return { path, next };
}

describe('sd_notify', () => {
  it('sends nothing and resolves false without NOTIFY_SOCKET', async () => {
    expect(await notifyReady('up', { env: { PATH: process.env.PATH } })).toBe(false);
  });

  it('READY=1 with STATUS and MAINPID reaches the socket', async () => {
    const socket = await notifySocket();
    const sent = await notifyReady('2 workers on unix /run/app.sock', {
      env: { ...process.env, NOTIFY_SOCKET: socket.path },
      pid: 4321,
    });
    expect(sent).toBe(true);
    expect(await socket.next()).toBe('MAINPID=4321|READY=1|STATUS=2 workers on unix /run/app.sock');
    // systemd >= 246 waits for the manager to have read it (a barrier, its fd dropped by this receiver).
    expect(await socket.next()).toBe('BARRIER=1');
  });

  it('STOPPING=1, RELOADING=1 with MONOTONIC_USEC, STATUS alone; a newline cannot inject a variable', async () => {
    const socket = await notifySocket();
    const options = { env: { ...process.env, NOTIFY_SOCKET: socket.path }, pid: process.pid };
    await notifyStopping('draining', options);
    expect(await socket.next()).toBe(`MAINPID=${process.pid}|STOPPING=1|STATUS=draining`);
    await socket.next();
    await notifyReloading(undefined, options);
    expect(await socket.next()).toMatch(
      new RegExp(`^MAINPID=${process.pid}\\|RELOADING=1\\|MONOTONIC_USEC=\\d+$`),
    );
    await socket.next();
    await notifyStatus('line one\nREADY=1', options);
    expect(await socket.next()).toBe(`MAINPID=${process.pid}|STATUS=line one READY=1`);
    await socket.next();
    await sdNotify({ WATCHDOG: '1' }, options);
    expect(await socket.next()).toBe(`MAINPID=${process.pid}|WATCHDOG=1`);
  });

  it('resolves false and reports the cause when nobody listens or systemd-notify is missing', async () => {
    const errors: Error[] = [];
    const onError = (error: Error) => errors.push(error);
    const missing = join(mkdtempSync(join(tmpdir(), 'scgi-notify-')), 'none.sock');
    expect(await notifyReady(undefined, { env: { ...process.env, NOTIFY_SOCKET: missing }, onError })).toBe(
      false,
    );
    expect(errors[0]?.message).toMatch(/^systemd-notify exited 1: /);
    const noBinary = { NOTIFY_SOCKET: missing, PATH: mkdtempSync(join(tmpdir(), 'scgi-empty-path-')) };
    expect(await notifyReady(undefined, { env: noBinary, onError })).toBe(false);
    expect((errors[1] as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
  });
});
