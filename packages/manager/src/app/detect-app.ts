// What kind of app a module exports: Express, Koa, Hono, a fetch handler, a (req, res) listener or an http.Server.
import { Server as HttpServer, type RequestListener } from 'node:http';
import type { FetchHandler } from '@scgi-node/hono';
import { ManagerError } from '../errors.js';

export type AppKind = 'express' | 'koa' | 'hono' | 'fetch' | 'listener';

/** An app ready to serve: node:http kinds carry a request listener, fetch kinds a fetch handler. */
export type LoadedApp =
  | { kind: 'express' | 'koa' | 'listener'; listener: RequestListener; fetch?: undefined; describe: string }
  | { kind: 'hono' | 'fetch'; fetch: FetchHandler; listener?: undefined; describe: string };

/** What the error message lists as accepted. */
export const ACCEPTED_APPS =
  'an Express app (express()), a Koa app (new Koa()), a Hono app (new Hono()), an object with a fetch(request) method, ' +
  'a (request) => Response function, a (req, res) request listener, or an http.Server';

type Fn = ((...args: unknown[]) => unknown) & Record<string, unknown>;
type Obj = Record<string, unknown>;

const isFunction = (value: unknown): value is Fn => typeof value === 'function';
const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null;

/**
 * Classify `value` (the export named by `where`, for messages). The rules, in order:
 * - Express 4/5 app: a function with `handle`, `set` and a `settings` object -> listener `app`.
 * - Express Router (same, without `settings`): refused; it needs an app around it.
 * - Koa 2/3 app: an object with `callback()`, `use()` and a `middleware` array -> listener `app.callback()`.
 * - Hono app: an object with `fetch()`, `route()` and a `routes` array -> fetch `app.fetch`.
 * - `{ fetch }` object (Bun/Deno/Workers style) -> fetch, called as a method of the object.
 * - http.Server: its single 'request' listener.
 * - A function: 1 declared parameter is a fetch handler `(request)`, 2 or 3 a listener `(req, res[, next])`;
 *   any other count is ambiguous (wrap it: `export default { fetch }` or `(req, res) => ...`).
 * Anything else is ERR_SCGI_NODE_BAD_APP, saying what was found and what is accepted.
 */
export function detectApp(value: unknown, where: string): LoadedApp {
  if (isFunction(value)) {
    if (isFunction(value.handle) && isFunction(value.set) && isObject(value.settings)) {
      return { kind: 'express', listener: value as RequestListener, describe: 'an Express app' };
    }
    if (isFunction(value.handle) && Array.isArray(value.stack) && isFunction(value.param)) {
      throw badApp(
        where,
        'an Express Router',
        'mount it on an app: const app = express(); app.use(router); export default app',
      );
    }
    const proto = value.prototype as Obj | undefined;
    if (isObject(proto) && isFunction(proto.callback) && isFunction(proto.use)) {
      throw badApp(
        where,
        'the Koa class itself',
        'export an instance: const app = new Koa(); ...; export default app',
      );
    }
    if (value.length === 1) {
      return { kind: 'fetch', fetch: value as FetchHandler, describe: 'a fetch handler function' };
    }
    if (value.length === 2 || value.length === 3) {
      return { kind: 'listener', listener: value as RequestListener, describe: 'a (req, res) listener' };
    }
    throw badApp(
      where,
      `${describeValue(value)}, which is ambiguous`,
      'declare (request) for a fetch handler or (req, res) for a listener, or export { fetch }',
    );
  }
  if (isObject(value)) {
    if (isFunction(value.callback) && isFunction(value.use) && Array.isArray(value.middleware)) {
      return { kind: 'koa', listener: (value.callback as Fn)() as RequestListener, describe: 'a Koa app' };
    }
    if (isFunction(value.fetch)) {
      const fetch = value.fetch as Fn;
      const isHono = isFunction(value.route) && Array.isArray(value.routes);
      return {
        kind: isHono ? 'hono' : 'fetch',
        // As a method call: `export default { fetch() { return this.other() } }` must keep its `this`.
        fetch: (request, env) => fetch.call(value, request, env),
        describe: isHono ? 'a Hono app' : 'an object with fetch()',
      };
    }
    if (value instanceof HttpServer) {
      const listeners = value.listeners('request');
      if (listeners.length === 1) {
        return {
          kind: 'listener',
          listener: listeners[0] as RequestListener,
          describe: "an http.Server's listener",
        };
      }
      throw badApp(
        where,
        `an http.Server with ${listeners.length} 'request' listeners`,
        'create it with exactly one: http.createServer(listener)',
      );
    }
  }
  throw badApp(where, describeValue(value));
}

/** `undefined`, `a string`, `a function "app" with 0 parameters`, `an object with keys a, b`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (isFunction(value)) {
    const name = value.name === '' ? '' : ` "${value.name}"`;
    return `a function${name} with ${value.length} declared parameter${value.length === 1 ? '' : 's'}`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value).slice(0, 8);
    const className = (value.constructor as Fn | undefined)?.name;
    const what = className !== undefined && className !== 'Object' ? `a ${className} object` : 'an object';
    return keys.length === 0 ? `${what} with no own keys` : `${what} with keys ${keys.join(', ')}`;
  }
  return `a ${typeof value} (${JSON.stringify(value) ?? String(value)})`;
}

function badApp(where: string, found: string, hint?: string): ManagerError {
  const advice = hint === undefined ? `accepted: ${ACCEPTED_APPS}` : `${hint} (accepted: ${ACCEPTED_APPS})`;
  return new ManagerError('ERR_SCGI_NODE_BAD_APP', `${where} is ${found}; ${advice}`);
}
