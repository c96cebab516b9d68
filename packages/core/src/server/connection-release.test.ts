// A closed connection lets go of its request: Node keeps closed sockets reachable until a full GC, so
// whatever a socket still references is promoted by every scavenge it survives.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { listenScgi, nginxPairs, rawExchange, wire } from '../test-support/raw-client.js';
import { cgiVariables, scgiRequest } from './cgi-variables.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Full GCs until `ref` is cleared (a WeakRef survives the job that read it, so each try awaits). */
async function collected(ref: WeakRef<object>): Promise<boolean> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

describe('a closed connection', () => {
  it('keeps nothing of its request reachable from the socket, and the request keeps its CGI variables', async () => {
    let served: { req: IncomingMessage; res: ServerResponse; socket: Socket } | undefined;
    const server = await listenScgi((req, res) => {
      served = { req, res, socket: req.socket };
      res.end('ok');
    });
    const result = await rawExchange(server, wire(nginxPairs('GET', '/', [['REMOTE_USER', 'ann']])));
    expect(result.body.toString()).toBe('ok');
    const socket = served!.socket;
    if (!socket.closed) await once(socket, 'close');
    expect(cgiVariables(served!.req)?.REMOTE_USER).toBe('ann');
    expect(cgiVariables(served!.res)?.REMOTE_USER).toBe('ann');
    expect(scgiRequest(socket)).toBeUndefined();

    const request = new WeakRef(served!.req);
    const response = new WeakRef(served!.res);
    served = undefined;
    // The socket is still held here, as Node holds it: the request and response must go anyway.
    expect(await collected(request)).toBe(true);
    expect(await collected(response)).toBe(true);
    expect(socket.destroyed).toBe(true);
  });
});
