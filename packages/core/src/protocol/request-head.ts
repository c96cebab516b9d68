// One decoded SCGI header block: the variables in wire order, the ones the transport reads, and the keyed
// record of all of them, built on first use.
import { ScgiProtocolError } from './errors.js';
import type { KnownVariables } from './known-variables.js';
import type { HeaderPlan } from './request-from-env.js';
import { quote } from './wire-text.js';

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

/**
 * What the heads of one block template share: the same names in the same order. Data that follows from
 * the names alone is worked out for the first head and kept here for the others.
 */
export class HeadShape {
  /** Which variables are request headers, and as which names (see request-from-env). */
  headerPlan: HeaderPlan | undefined = undefined;
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
    /** Shared with the other heads of the same names in the same order, when the decoder knows them. */
    readonly shape?: HeadShape,
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

/**
 * The head of a decoded block whose names were checked (CONTENT_LENGTH first, only HTTP_* repeated),
 * once its CONTENT_LENGTH and SCGI values are.
 */
export function checkedRequestHead(
  pairs: string[],
  known: KnownVariables,
  envPrototype: object | null,
  shape?: HeadShape,
): RequestHead {
  const lengthText = known.CONTENT_LENGTH!;
  const contentLength = Number(lengthText);
  if (!isDecimalDigits(lengthText) || contentLength > Number.MAX_SAFE_INTEGER) {
    throw new ScgiProtocolError(
      'ERR_SCGI_BAD_CONTENT_LENGTH',
      `SCGI CONTENT_LENGTH ${quote(lengthText)} is not a decimal number`,
    );
  }
  const scgi = known.SCGI;
  if (scgi === undefined) {
    throw new ScgiProtocolError('ERR_SCGI_MISSING_SCGI', 'SCGI header block has no SCGI variable');
  }
  if (scgi !== '1') {
    throw new ScgiProtocolError(
      'ERR_SCGI_BAD_SCGI_VERSION',
      `SCGI variable is ${quote(scgi)}; only version "1" exists`,
    );
  }
  return new RequestHead(pairs, known, contentLength, envPrototype, shape);
}

/** `text` is one or more of 0-9 and nothing else (a loop: a RegExp test costs a builtin call per request). */
function isDecimalDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}
