// `c.env.incoming` / `c.env.outgoing`: @hono/node-server's HttpBindings, built only when an app reads them.
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The Node objects @hono/node-server gives a handler in `c.env` (its `HttpBindings`, same shape), so
 * apps and middleware written for it run unchanged: its `getConnInfo`, `c.env.incoming.headers`,
 * writing through `c.env.outgoing` and returning `RESPONSE_ALREADY_SENT`.
 */
export interface HttpBindings {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

/** Where one request's bindings come from; each is made on its first read. */
export interface NodeBindingsSource {
  incoming(): IncomingMessage;
  outgoing(): ServerResponse;
}

/** The header of @hono/node-server's `RESPONSE_ALREADY_SENT`: the handler answered through `outgoing`. */
export const ALREADY_SENT_HEADER = 'x-hono-already-sent';

const SOURCE = Symbol('scgi-node.hono.bindings-source');

type EnvWithSource = { [SOURCE]: NodeBindingsSource };

/**
 * Shared by every env: accessors that ask the env's own source. An env costs one prototype and one
 * symbol-keyed slot instead of two accessor definitions; a handler that never reads the bindings builds
 * nothing, and spreading or logging `c.env` does not either (they are not own properties).
 */
export const ENV_PROTOTYPE: object = Object.create(null, {
  incoming: accessor('incoming'),
  outgoing: accessor('outgoing'),
});

/**
 * Reads ask the env's source (undefined before it has one, as while the parser fills the record). A
 * write makes an own property, so a CGI variable or a binding of the same name masks Node's object.
 */
function accessor(name: 'incoming' | 'outgoing'): PropertyDescriptor {
  return {
    get(this: Partial<EnvWithSource>) {
      return this[SOURCE]?.[name]();
    },
    set(this: object, value: unknown) {
      Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
    },
  };
}

/** Give `env` (which has {@link ENV_PROTOTYPE} as its prototype) the source of its bindings. */
export function bindSource(env: object, source: NodeBindingsSource): void {
  (env as EnvWithSource)[SOURCE] = source;
}

/** The handler returned @hono/node-server's `RESPONSE_ALREADY_SENT` (or a response marked like it). */
export function isAlreadySent(response: Response): boolean {
  return response.headers.get(ALREADY_SENT_HEADER) !== null;
}
