// Encodes the head of an SCGI request (the header netstring) from CGI variables, for clients and gateways.

import { ScgiError } from './errors.js';
import { quote } from './wire-text.js';

// A char above U+00FF has no latin1 byte (Buffer.from would silently keep only its low byte).
const NOT_LATIN1 = /[\u0100-\uffff]/;

function badVariable(message: string): ScgiError {
  return new ScgiError('ERR_SCGI_BAD_VARIABLE', message);
}

/** Names the variable holding the non-latin1 char at `at` in the NUL-separated `block`. */
function notLatin1Error(block: string, at: number): ScgiError {
  const field = block.slice(0, at).split('\x00').length - 1;
  const fields = block.split('\x00');
  const where =
    field % 2 === 0 ? `variable name ${quote(fields[field]!)}` : `value of ${quote(fields[field - 1]!)}`;
  const code = block.codePointAt(at) ?? 0;
  return badVariable(
    `SCGI ${where} contains U+${code.toString(16).toUpperCase().padStart(4, '0')} (not latin1)`,
  );
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
    throw badVariable(
      `SCGI CONTENT_LENGTH must be a non-negative safe integer, got ${String(contentLength)}`,
    );
  }
  // The SCGI protocol text requires CONTENT_LENGTH first and SCGI present; Apache puts SCGI second too.
  let block = `CONTENT_LENGTH\x00${contentLength}\x00SCGI\x001\x00`;
  for (const [name, value] of variables) {
    if (name === 'CONTENT_LENGTH' || name === 'SCGI') continue;
    if (name === '') throw badVariable('SCGI variable name is empty');
    // A NUL would end the string early on the wire and shift every later name and value.
    if (name.includes('\x00')) throw badVariable(`SCGI variable name ${quote(name)} contains a NUL`);
    if (value.includes('\x00')) throw badVariable(`SCGI value of ${quote(name)} contains a NUL`);
    block += `${name}\x00${value}\x00`;
  }
  // One scan of the whole block instead of a regex per string: a fifth of the encoding time.
  const wide = block.search(NOT_LATIN1);
  if (wide !== -1) throw notLatin1Error(block, wide);
  // Every char is one latin1 byte, so the string length is the byte length.
  return Buffer.from(`${block.length}:${block},`, 'latin1');
}
