// The handler's `env` (Hono's `c.env`): the request's CGI variables, the user's bindings, and Node's.
import { bindSource, ENV_PROTOTYPE, type HttpBindings, type NodeBindingsSource } from './node-bindings.js';

/**
 * The CGI variables of one request, as the front server sent them (RFC 3875 §4.1 plus its extras), passed
 * to the fetch handler as `env` (`c.env` in Hono). The listed names are the usual ones; any other variable
 * the front server sets (`SSL_CLIENT_S_DN`, `DOCUMENT_ROOT`, Apache's `SCRIPT_FILENAME`, …) is there too.
 * Repeated `HTTP_*` variables are joined (`HTTP_COOKIE` with `; `, others with `, `).
 */
export interface CgiVariables {
  readonly REQUEST_METHOD?: string;
  readonly REQUEST_URI?: string;
  readonly QUERY_STRING?: string;
  readonly CONTENT_LENGTH?: string;
  readonly CONTENT_TYPE?: string;
  readonly SERVER_PROTOCOL?: string;
  readonly SERVER_NAME?: string;
  readonly SERVER_PORT?: string;
  readonly SERVER_ADDR?: string;
  readonly REMOTE_ADDR?: string;
  readonly REMOTE_PORT?: string;
  /** Set by the web server's own authentication (`auth_basic`, `AuthType`, …). */
  readonly REMOTE_USER?: string;
  readonly HTTPS?: string;
  readonly REQUEST_SCHEME?: string;
  readonly SCRIPT_NAME?: string;
  readonly PATH_INFO?: string;
  readonly DOCUMENT_URI?: string;
  readonly DOCUMENT_ROOT?: string;
  readonly HTTP_HOST?: string;
  /** Other variables are strings too; `unknown` here so user bindings of any type can be merged in. */
  readonly [variable: string]: unknown;
}

/**
 * What the fetch handler gets as `env`: the CGI variables, the `bindings` given to `serve` /
 * `createFetchHandler`, and @hono/node-server's `incoming`/`outgoing` (built when first read). Use it as
 * Hono's bindings type: `new Hono<{ Bindings: ScgiEnv<{ db: Db }> }>()`; apps typed with
 * `{ Bindings: HttpBindings }` from @hono/node-server are served as they are.
 */
export type ScgiEnv<Bindings extends object = {}> = Bindings & CgiVariables & HttpBindings;

/**
 * One env per request. Without bindings it is the parser's own record (no copy), whose prototype holds
 * the Node bindings' accessors. With bindings, the CGI variables are assigned last: a per-request fact such
 * as `REMOTE_USER` cannot be masked by a static binding of the same name; a binding named `incoming` or
 * `outgoing` masks Node's.
 */
export function makeEnv(
  variables: Readonly<Record<string, string>>,
  bindings: object | undefined,
  source: NodeBindingsSource,
): CgiVariables {
  let env: object;
  if (bindings === undefined) {
    env = variables;
    // serve's parser makes the record with this prototype already; core's http path (createFetchHandler) does not.
    if (Object.getPrototypeOf(env) !== ENV_PROTOTYPE) Object.setPrototypeOf(env, ENV_PROTOTYPE);
  } else {
    env = Object.assign(Object.create(ENV_PROTOTYPE) as object, bindings, variables);
  }
  bindSource(env, source);
  return env as CgiVariables;
}
