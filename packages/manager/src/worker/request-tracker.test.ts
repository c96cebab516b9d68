// The worker's request tracking on a real SCGI server: in-flight counts, the oldest URL, and the in-loop timeout answer.
import { once } from 'node:events';
import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import { request, scgi } from '@scgi-node/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { InFlightRequest } from '../ipc/messages.js';
import { RequestTracker } from './request-tracker.js';
import { SlotTable } from './slot-table.js';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(listener: RequestListener, timeoutMs: number) {
  const server = createServer(listener);
  servers.push(server);
  const timeouts: Array<{ request: InFlightRequest; answered504: boolean }> = [];
  const slots = new SlotTable();
  const tracker = new RequestTracker(server, {
    timeoutMs,
    slots,
    onTimeout: (req, answered504) => timeouts.push({ request: req, answered504 }),
  });
  server.listen(scgi(0));
  await once(server, 'listening');
  return { server, tracker, timeouts, slots };
}

async function until(check: () => boolean): Promise<void> {
  for (let n = 0; n < 200 && !check(); n++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

/** Resolves when the handler has been called this many times. */
function handlerCalls(count: number) {
  const held: ServerResponse[] = [];
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  const listener: RequestListener = (_req, res) => {
    held.push(res);
    if (held.length === count) resolve();
  };
  return { held, reached, listener };
}

describe('RequestTracker', () => {
  it('counts requests in flight, names the oldest, and forgets each at its connection close', async () => {
    const calls = handlerCalls(2);
    const { server, tracker } = await serve(calls.listener, 0);
    const first = request(server, { url: '/first?a=1' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = request(server, { method: 'POST', url: '/second', body: 'x' });
    await calls.reached;
    expect(tracker.inFlight).toBe(2);
    expect(tracker.served).toBe(2);
    expect(tracker.oldest(Date.now())).toMatchObject({ method: 'GET', url: '/first?a=1' });
    for (const res of calls.held) res.end('done');
    await Promise.all([(await first).text(), (await second).text()]);
    await until(() => tracker.inFlight === 0);
    expect(tracker.served).toBe(2);
  });

  it('answers a request past the timeout with one 504, reports it once, and drops the late response', async () => {
    const calls = handlerCalls(1);
    const { server, tracker, timeouts } = await serve(calls.listener, 5000);
    const pending = request(server, { url: '/stuck' });
    await calls.reached;
    tracker.checkTimeouts(Date.now() + 1000);
    expect(timeouts).toEqual([]);
    tracker.checkTimeouts(Date.now() + 6000);
    tracker.checkTimeouts(Date.now() + 7000);
    const res = await pending;
    expect(res.status).toBe(504);
    expect(await res.text()).toBe('The application did not answer within 5 s.\n');
    expect(timeouts).toMatchObject([{ request: { method: 'GET', url: '/stuck' }, answered504: true }]);
    calls.held[0]!.end('too late'); // dropped: no write-after-end error, nothing more on the wire
    await until(() => tracker.inFlight === 0);
  });

  it('closes the connection instead when the response head is already out', async () => {
    const calls = handlerCalls(1);
    const { server, tracker, timeouts } = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      calls.listener(req, res);
    }, 5000);
    const res = await request(server, { url: '/streaming' });
    await calls.reached;
    tracker.checkTimeouts(Date.now() + 6000);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('partial');
    expect(timeouts).toMatchObject([{ request: { url: '/streaming' }, answered504: false }]);
  });

  it('never times out with timeout 0, and claims no shared slot', async () => {
    const calls = handlerCalls(1);
    const { server, tracker, timeouts, slots } = await serve(calls.listener, 0);
    const pending = request(server, { url: '/slow' });
    await calls.reached;
    tracker.checkTimeouts(Date.now() + 3_600_000);
    expect(timeouts).toEqual([]);
    expect([...slots.inUse()]).toEqual([]);
    calls.held[0]!.end('fine');
    expect(await (await pending).text()).toBe('fine');
  });
});
