// Decodes and checks a complete SCGI header block: NUL-terminated name/value pairs (SCGI spec, 2008).

import { mayRepeat } from './cgi-names.js';
import type { ScgiErrorCode } from './errors.js';
import { ScgiProtocolError } from './errors.js';
import type { RequestHeadersEvent } from './request-parser.js';
import { latin1, quote } from './wire-text.js';

const DECIMAL_DIGITS = /^[0-9]+$/;

/**
 * The variable names of the last block decoded, by position. A front server sends the same names in the
 * same order on every request (only the HTTP_* set changes with the client), so a name that is there
 * again, checked char by char, is taken from here: no scan, no new string, and a key V8 has already
 * internalized (looking a fresh key up in the string table was 2% of a request; issue 19).
 */
const lastNames: string[] = [];
const MAX_REMEMBERED_NAMES = 256;

function protocolError(code: ScgiErrorCode, message: string): ScgiProtocolError {
  return new ScgiProtocolError(code, message);
}

/**
 * Decodes and checks a complete header block (the netstring's content, without the length and comma).
 * Names and values are latin1, one char per byte, as node:http decodes header bytes.
 */
export function decodeHeaderBlock(block: Buffer, envPrototype: object | null = null): RequestHeadersEvent {
  const end = block.length;
  if (end === 0) {
    throw protocolError(
      'ERR_SCGI_FIRST_NOT_CONTENT_LENGTH',
      'SCGI header block is empty; CONTENT_LENGTH must come first',
    );
  }
  // With a NUL as the last byte every indexOf below is bound to find one inside the block.
  if (block[end - 1] !== 0) {
    throw protocolError('ERR_SCGI_BAD_HEADER_BLOCK', 'SCGI header block does not end with a NUL byte');
  }
  // One native decode of the whole block, then NUL scans and slices on the string: a Buffer#indexOf and
  // a latin1Slice per name and value cost two C++ calls each, about twice the time of the whole parse.
  // (Long values are V8 slices of this one string, which is bounded by maxHeaderBytes.)
  const text = latin1(block, 0, end);
  const env = Object.create(envPrototype) as Record<string, string>;
  const pairs: string[] = [];
  let pos = 0;
  let index = 0;
  while (pos < end) {
    let name = lastNames[index];
    let nameEnd: number;
    let fresh = false;
    if (name !== undefined && text.startsWith(name, pos) && text.charCodeAt(pos + name.length) === 0) {
      nameEnd = pos + name.length;
    } else {
      fresh = true;
      nameEnd = text.indexOf('\x00', pos);
      if (nameEnd === pos) {
        throw protocolError(
          'ERR_SCGI_EMPTY_VARIABLE_NAME',
          `SCGI header block has an empty variable name at byte ${pos}`,
        );
      }
      name = text.slice(pos, nameEnd);
    }
    const valueStart = nameEnd + 1;
    if (valueStart === end) {
      throw protocolError(
        'ERR_SCGI_BAD_HEADER_BLOCK',
        `SCGI header block ends after the name ${quote(name)} without its value (odd number of strings)`,
      );
    }
    const valueEnd = text.indexOf('\x00', valueStart);
    const value = text.slice(valueStart, valueEnd);
    pos = valueEnd + 1;
    if (pairs.length === 0 && name !== 'CONTENT_LENGTH') {
      throw protocolError(
        'ERR_SCGI_FIRST_NOT_CONTENT_LENGTH',
        `SCGI header block starts with ${quote(name)}; CONTENT_LENGTH must come first`,
      );
    }
    const previous = env[name];
    if (previous === undefined) {
      env[name] = value;
    } else if (mayRepeat(name)) {
      // nginx 1.22 and lighttpd repeat HTTP_* keys; join them the way node:http joins repeated headers.
      env[name] = previous + (name === 'HTTP_COOKIE' ? '; ' : ', ') + value;
    } else {
      // A second CONTENT_LENGTH, REQUEST_URI, … could smuggle a different request past the front server.
      throw protocolError(
        'ERR_SCGI_DUPLICATE_VARIABLE',
        `SCGI variable ${quote(name)} appears more than once`,
      );
    }
    // Remembered once used as a key: V8 has then made it a reference to its own internalized copy, so it
    // no longer holds on to this block's text.
    if (fresh && index < MAX_REMEMBERED_NAMES) lastNames[index] = name;
    index++;
    pairs.push(name, value);
  }
  const lengthText = pairs[1]!;
  const contentLength = Number(lengthText);
  if (!DECIMAL_DIGITS.test(lengthText) || contentLength > Number.MAX_SAFE_INTEGER) {
    throw protocolError(
      'ERR_SCGI_BAD_CONTENT_LENGTH',
      `SCGI CONTENT_LENGTH ${quote(lengthText)} is not a decimal number`,
    );
  }
  const scgi = env.SCGI;
  if (scgi === undefined)
    throw protocolError('ERR_SCGI_MISSING_SCGI', 'SCGI header block has no SCGI variable');
  if (scgi !== '1') {
    throw protocolError(
      'ERR_SCGI_BAD_SCGI_VERSION',
      `SCGI variable is ${quote(scgi)}; only version "1" exists`,
    );
  }
  return { type: 'headers', env, pairs, contentLength };
}
