// One decoded SCGI header block: the variables in wire order, the ones the transport reads, and the keyed
// record of all of them, built on first use.
import type { KnownVariables } from './known-variables.js';

/** Every variable by name, repeated HTTP_* joined: HTTP_COOKIE with '; ', others with ', ' (as node:http). */
export function envFromPairs(pairs: readonly string[], prototype: object | null): Record<string, string> {
  const env = Object.create(prototype) as Record<string, string>;
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i]!;
    const value = pairs[i + 1]!;
    const previous = env[name];
    if (previous === undefined) {
      // (An accessor on the prototype takes this store: @scgi-node/hono's define an own property.)
      env[name] = value;
    } else if (Object.hasOwn(env, name)) {
      env[name] = previous + (name === 'HTTP_COOKIE' ? '; ' : ', ') + value;
    } else {
      // The prototype has a value of this name: the variable shadows it.
      Object.defineProperty(env, name, { value, writable: true, enumerable: true, configurable: true });
    }
  }
  return env;
}

/** The parser's `headers` event. The decoder has checked that only HTTP_* names repeat. */
export class RequestHead {
  readonly type = 'headers' as const;
  private record: Record<string, string> | undefined;

  constructor(
    /** Every variable in wire order, repeats kept: [name0, value0, name1, value1, ...]. */
    readonly pairs: string[],
    /** The variables the transport reads (undefined when not sent). */
    readonly known: Readonly<KnownVariables>,
    readonly contentLength: number,
    private readonly envPrototype: object | null,
  ) {}

  /**
   * Every variable, keyed, in a record whose prototype is the parser's `envPrototype` (default none).
   * Built on first read: a listener that never looks past the request line and headers does not pay for
   * a dictionary of every variable.
   */
  get env(): Record<string, string> {
    this.record ??= envFromPairs(this.pairs, this.envPrototype);
    return this.record;
  }
}
