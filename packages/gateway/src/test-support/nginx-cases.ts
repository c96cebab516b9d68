// Test support: the nginx capture fixture (what nginx sent for each probe request) and the probe requests.
import { readFileSync } from 'node:fs';

export interface BodySpec {
  kind: 'text' | 'mod256' | 'repeat';
  text?: string;
  char?: string;
  length?: number;
}

export interface NginxCase {
  case: string;
  request: {
    method: string;
    target: string;
    version: string;
    headers: Array<[string, string]>;
    framing: 'none' | 'content-length' | 'chunked';
    body: BodySpec | null;
  };
  nginx: { pairs: Array<[string, string]>; body_len: number; body_sha256: string };
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/nginx-requests.json', import.meta.url), 'utf8'),
) as { cases: NginxCase[] };

export function nginxCase(name: string): NginxCase {
  const found = fixture.cases.find((entry) => entry.case === name);
  if (found === undefined) throw new Error(`no nginx capture ${name}`);
  return found;
}

/** The body the probe client sent (its sha256 is the one nginx's backend saw). */
export function bodyBytes(spec: BodySpec | null, length = spec?.length): Buffer {
  if (spec === null) return Buffer.alloc(0);
  if (spec.kind === 'text') return Buffer.from(spec.text!);
  if (spec.kind === 'repeat') return Buffer.alloc(length!, spec.char!);
  const body = Buffer.allocUnsafe(length!);
  for (let i = 0; i < body.length; i++) body[i] = i % 256;
  return body;
}

const CHUNK_BYTES = 16 * 1024;

/** The raw HTTP request: request line, headers in the probe's order, then the body in its framing. */
export function requestBytes(request: NginxCase['request'], body: Buffer): Buffer {
  const lines = [`${request.method} ${request.target} ${request.version}`];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  if (request.framing !== 'chunked') return Buffer.concat([head, body]);
  const parts: Buffer[] = [head];
  for (let at = 0; at < body.length; at += CHUNK_BYTES) {
    const chunk = body.subarray(at, at + CHUNK_BYTES);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
