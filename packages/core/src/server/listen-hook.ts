// Lets `server.listen(scgi(...))` (and so `app.listen(scgi(...))`) work on any http.Server.
import { Server } from 'node:http';
import { attachedOptions } from './attach.js';
import { listenScgi, type NetListen } from './listen.js';
import {
  isScgiTarget,
  parseListenTarget,
  SCGI_TARGET,
  type ScgiListenTarget,
  type ScgiTarget,
} from './target.js';

const HOOK = Symbol.for('scgi-node.listen-hook');

type HookedPrototype = { listen: (...args: unknown[]) => Server; [HOOK]?: true };

/**
 * Installs an own `listen` on http.Server.prototype (it otherwise inherits net.Server's). It acts only on
 * a branded `scgi()` target, or on a server already made SCGI by `createServer`; every other call goes
 * to net.Server's listen untouched. Installed once per process, whichever copy of this package loads first.
 */
export function installListenHook(): void {
  const proto = Server.prototype as unknown as HookedPrototype;
  if (proto[HOOK]) return;
  const netListen = proto.listen;
  function listen(this: Server, ...args: unknown[]): Server {
    const target = scgiTargetOf(this, args[0]);
    if (target === undefined) return netListen.apply(this, args);
    const last = args.at(-1);
    return listenScgi(
      this,
      target,
      typeof last === 'function' ? (last as () => void) : undefined,
      netListen as NetListen,
    );
  }
  Object.defineProperty(proto, 'listen', { value: listen, writable: true, configurable: true });
  Object.defineProperty(proto, HOOK, { value: true });
}

function scgiTargetOf(server: Server, first: unknown): ScgiTarget | undefined {
  if (isScgiTarget(first)) return first;
  const options = attachedOptions(server);
  // createServer() servers take plain targets too, with SCGI defaults (loopback for a bare port).
  if (options === undefined || !isPlainTarget(first)) return undefined;
  return { [SCGI_TARGET]: true, listen: parseListenTarget(first), options };
}

function isPlainTarget(value: unknown): value is ScgiListenTarget {
  return (
    typeof value === 'number' || typeof value === 'string' || (typeof value === 'object' && value !== null)
  );
}
