// Send one request to the app directly and through the front server, and check the client sees the same.
import { expect } from 'vitest';
import { type Exchange, type Outgoing, send } from './client.js';
import { headerDifferences, unexplainedDifferences } from './compare.js';
import type { FrontKind } from './front-servers.js';
import type { Stack } from './stack.js';

/** Every request of the differential cases carries this Host (with a port: nginx's `$host` would drop it). */
export const HOST = 'interop.test:8080';

/** The headers of every case: the Host above, and JSON answers where the app can choose. */
export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { Host: HOST, Accept: 'application/json', ...extra };
}

/** Status, reason, headers (minus ALWAYS_IGNORED and what the server is known to change) and body agree. */
export function expectEquivalent(
  kind: FrontKind,
  direct: Omit<Exchange, 'body'> & { body?: Buffer },
  fronted: Omit<Exchange, 'body'> & { body?: Buffer },
): void {
  expect({ status: fronted.status, reason: fronted.statusMessage }).toEqual({
    status: direct.status,
    reason: direct.statusMessage,
  });
  expect(unexplainedDifferences(kind, headerDifferences(direct.headers, fronted.headers))).toEqual([]);
  if (direct.body !== undefined && fronted.body !== undefined) {
    // latin1 keeps every byte, and a failure shows both bodies as text.
    expect(fronted.body.toString('latin1')).toBe(direct.body.toString('latin1'));
  }
}

/** The request sent straight to the app (node:http) and through the front server (SCGI), compared. */
export async function sendBoth(
  stack: Stack,
  outgoing: Outgoing,
): Promise<{ direct: Exchange; fronted: Exchange }> {
  const direct = await send(stack.direct.port, outgoing);
  const fronted = await send(stack.front.port, outgoing);
  expectEquivalent(stack.kind, direct, fronted);
  return { direct, fronted };
}

/** One header's value (the first, if repeated). */
export function headerOf(exchange: Pick<Exchange, 'headers'>, name: string): string | undefined {
  return exchange.headers.find(([key]) => key === name)?.[1];
}

/** Every value of a repeated header, in order. */
export function headersOf(exchange: Pick<Exchange, 'headers'>, name: string): string[] {
  return exchange.headers.filter(([key]) => key === name).map(([, value]) => value);
}

/** Parse a JSON body (the failure names the body when it is not JSON). */
export function json(exchange: Pick<Exchange, 'body'>): Record<string, unknown> {
  try {
    return JSON.parse(exchange.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON: ${exchange.body.toString('utf8').slice(0, 500)}`);
  }
}
