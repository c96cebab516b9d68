// Encodes the head of an SCGI request (the header netstring) from CGI variables, for clients and gateways.

import { ScgiError } from './errors.js';

// A NUL would end the string early on the wire; a char above U+00FF has no latin1 byte.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
const UNENCODABLE = /[^\x01-\xff]/;

function checkString(kind: 'name' | 'value', text: string, name: string): void {
  const match = UNENCODABLE.exec(text);
  if (match === null) return;
  const code = match[0].codePointAt(0) ?? 0;
  const what = code === 0 ? 'a NUL' : `U+${code.toString(16).toUpperCase().padStart(4, '0')} (not latin1)`;
  const where = kind === 'name' ? 'variable name' : `value of ${JSON.stringify(name)}`;
  throw new ScgiError('ERR_SCGI_BAD_VARIABLE', `SCGI ${where} contains ${what}`);
}

/**
 * Encodes the netstring head (CONTENT_LENGTH first, SCGI=1 second, then `variables` in order, skipping any
 * CONTENT_LENGTH or SCGI given). Latin1. The request body (exactly `contentLength` bytes) follows it.
 *
 * @throws ScgiError `ERR_SCGI_BAD_VARIABLE` for an empty name, a NUL in a name or value, a character above
 *   U+00FF, or a `contentLength` that is not a non-negative safe integer.
 */
export function encodeRequestHead(
  variables: Iterable<readonly [string, string]>,
  contentLength: number,
): Buffer {
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
    throw new ScgiError(
      'ERR_SCGI_BAD_VARIABLE',
      `SCGI CONTENT_LENGTH must be a non-negative safe integer, got ${String(contentLength)}`,
    );
  }
  // The SCGI protocol text requires CONTENT_LENGTH first and SCGI present; Apache puts SCGI second too.
  let block = `CONTENT_LENGTH\x00${contentLength}\x00SCGI\x001\x00`;
  for (const [name, value] of variables) {
    if (name === 'CONTENT_LENGTH' || name === 'SCGI') continue;
    if (name === '') throw new ScgiError('ERR_SCGI_BAD_VARIABLE', 'SCGI variable name is empty');
    checkString('name', name, name);
    checkString('value', value, name);
    block += `${name}\x00${value}\x00`;
  }
  // Every char is one latin1 byte, so the string length is the byte length.
  return Buffer.from(`${block.length}:${block},`, 'latin1');
}
