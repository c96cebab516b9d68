// Decodes and checks a complete SCGI header block: NUL-terminated name/value pairs (SCGI spec, 2008).

import { BlockTemplate } from './block-template.js';
import { mayRepeat } from './cgi-names.js';
import type { ScgiErrorCode } from './errors.js';
import { ScgiProtocolError } from './errors.js';
import { KnownVariables, knownSlot, setKnown, UNKNOWN } from './known-variables.js';
import { bufferView, MAX_REMEMBERED_VALUE_BYTES, RememberedName } from './remembered-name.js';
import { checkedRequestHead, type RequestHead } from './request-head.js';
import { latin1, nextNul, quote } from './wire-text.js';

const CONTENT_LENGTH_SLOT = knownSlot('CONTENT_LENGTH');

/**
 * The names of the last block that decoded without error, by position (the first `lastCount`; the rest
 * are stale). A front server sends the same names in the same order on every request (only the HTTP_*
 * set changes with the client), so a name that is there again, recognised by its bytes, is taken from
 * here with its known-variable slot: no scan, no new string, no lookup. Those names are also known to be
 * free of forbidden repeats.
 */
const lastNames: RememberedName[] = [];
let lastCount = 0;
const MAX_REMEMBERED_NAMES = 256;

/**
 * The last block whose names were all of those of the block before it, as a template for the next one:
 * while the front server repeats itself, a block is matched as a whole (see BlockTemplate).
 */
let template: BlockTemplate | undefined;
/** Whether a block has matched the template yet. */
let templateUsed = false;
/** Blocks in a row (read one by one) that had all of the last block's names. */
let namesHeld = 0;
/**
 * How many such blocks in a row make a template. Doubled each time a template goes unused (clients
 * taking turns after a request or two each: the template only cost), back to 1 once one is used.
 */
let holdsForTemplate = 1;
const MAX_HOLDS_FOR_TEMPLATE = 64;
/** Fewer names than this are read one by one: a template of a tiny block saves nothing. */
const MIN_TEMPLATE_NAMES = 4;
let templatesMade = 0;

/** How many block templates were made so far (for the tests of when they are). */
export function blockTemplatesMade(): number {
  return templatesMade;
}

function protocolError(code: ScgiErrorCode, message: string): ScgiProtocolError {
  return new ScgiProtocolError(code, message);
}

/**
 * Decodes and checks a complete header block (the netstring's content, without the length and comma).
 * Names and values are latin1, one char per byte, as node:http decodes header bytes. Only HTTP_*
 * variables may repeat; `envPrototype` becomes the prototype of the head's keyed `env` record.
 */
export function decodeHeaderBlock(
  block: Buffer,
  envPrototype: object | null = null,
  offset = 0,
  size = block.length - offset,
): RequestHead {
  try {
    // (Bytes at an offset: a view of the block would cost a typed array per request.)
    const head = decode(block, offset, size, envPrototype);
    lastCount = Math.min(head.pairs.length / 2, MAX_REMEMBERED_NAMES);
    return head;
  } catch (error) {
    // lastNames may hold this block's names now: nothing of it may be taken as checked.
    lastCount = 0;
    throw error;
  }
}

/** Decodes `size` bytes of `block` from `offset` on; positions below are from `offset`. */
function decode(block: Buffer, offset: number, size: number, envPrototype: object | null): RequestHead {
  const end = size;
  if (end === 0) {
    throw protocolError(
      'ERR_SCGI_FIRST_NOT_CONTENT_LENGTH',
      'SCGI header block is empty; CONTENT_LENGTH must come first',
    );
  }
  // With a NUL as the last byte every scan below for the next NUL is bound to find one in the block.
  if (block[offset + end - 1] !== 0) {
    throw protocolError('ERR_SCGI_BAD_HEADER_BLOCK', 'SCGI header block does not end with a NUL byte');
  }
  const view = bufferView(block);
  if (template !== undefined) {
    const head = template.match(block, offset, size, view, envPrototype);
    if (head !== undefined) {
      templateUsed = true;
      holdsForTemplate = 1;
      return head;
    }
    if (!templateUsed) holdsForTemplate = Math.min(2 * holdsForTemplate, MAX_HOLDS_FOR_TEMPLATE);
    template = undefined;
  }
  // One native decode of the whole block, then NUL scans and slices on the string: a Buffer#indexOf and
  // a latin1Slice per name and value cost two C++ calls each, about twice the time of the whole parse.
  // (Long values are V8 slices of this one string, which is bounded by maxHeaderBytes.)
  const text = latin1(block, offset, offset + end);
  const known = new KnownVariables();
  const pairs: string[] = [];
  const rememberedCount = lastCount;
  const viewOffset = block.byteOffset + offset;
  /** While every name so far is the last block's, none of them can be a forbidden repeat. */
  let sameNames = true;
  /** The names that may not repeat, collected once the names differ from the last block's. */
  let single: Set<string> | undefined;
  let pos = 0;
  let index = 0;
  while (pos < end) {
    let remembered = index < rememberedCount ? lastNames[index]! : undefined;
    let nameEnd = remembered === undefined ? -1 : pos + remembered.length;
    let name: string;
    let slot: number;
    if (
      remembered !== undefined &&
      nameEnd < end &&
      block[offset + nameEnd] === 0 &&
      remembered.isAt(view, viewOffset + pos)
    ) {
      name = remembered.name;
      slot = remembered.slot;
    } else {
      remembered = undefined;
      nameEnd = text.indexOf('\x00', pos);
      if (nameEnd === pos) {
        throw protocolError(
          'ERR_SCGI_EMPTY_VARIABLE_NAME',
          `SCGI header block has an empty variable name at byte ${pos}`,
        );
      }
      name = text.slice(pos, nameEnd);
      slot = knownSlot(name);
      if (sameNames) {
        sameNames = false;
        single = namesThatMayNotRepeat(pairs);
      }
    }
    const valueStart = nameEnd + 1;
    if (valueStart === end) {
      throw protocolError(
        'ERR_SCGI_BAD_HEADER_BLOCK',
        `SCGI header block ends after the name ${quote(name)} without its value (odd number of strings)`,
      );
    }
    let value = remembered?.value;
    let valueEnd = value === undefined ? -1 : valueStart + value.length;
    if (
      value === undefined ||
      valueEnd >= end ||
      block[offset + valueEnd] !== 0 ||
      !remembered!.valueIsAt(view, viewOffset + valueStart)
    ) {
      if (value !== undefined) remembered!.forgetValue();
      valueEnd = nextNul(block, offset + valueStart, offset + end) - offset;
      value = text.slice(valueStart, valueEnd);
      if (remembered === undefined && index < MAX_REMEMBERED_NAMES) {
        // Decoded again on their own: slices of `text` would keep this whole block alive with them.
        // (The bytes are copied too: the block may be the shared read buffer.)
        lastNames[index] = new RememberedName(
          latin1(block, offset + pos, offset + nameEnd),
          slot,
          value.length <= MAX_REMEMBERED_VALUE_BYTES
            ? latin1(block, offset + valueStart, offset + valueEnd)
            : undefined,
        );
      }
    }
    pos = valueEnd + 1;
    if (index === 0 && slot !== CONTENT_LENGTH_SLOT) {
      throw protocolError(
        'ERR_SCGI_FIRST_NOT_CONTENT_LENGTH',
        `SCGI header block starts with ${quote(name)}; CONTENT_LENGTH must come first`,
      );
    }
    // A second CONTENT_LENGTH, REQUEST_URI, … could smuggle a different request past the front server.
    let repeated = false;
    if (slot !== UNKNOWN) repeated = !setKnown(known, slot, value);
    else if (single !== undefined && !mayRepeat(name)) repeated = !addOnce(single, name);
    if (repeated) {
      throw protocolError(
        'ERR_SCGI_DUPLICATE_VARIABLE',
        `SCGI variable ${quote(name)} appears more than once`,
      );
    }
    index++;
    pairs.push(name, value);
  }
  namesHeld = sameNames && index === rememberedCount ? namesHeld + 1 : 0;
  if (namesHeld >= holdsForTemplate && index >= MIN_TEMPLATE_NAMES) {
    templateUsed = false;
    templatesMade++;
    // The names held still from the last block: the values that will repeat are the ones still remembered.
    template = new BlockTemplate(view, viewOffset, pairs, lastNames);
  }
  return checkedRequestHead(pairs, known, envPrototype);
}

/** The names in `pairs` other than the known ones and HTTP_*, which are checked apart. */
function namesThatMayNotRepeat(pairs: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i]!;
    if (knownSlot(name) === UNKNOWN && !mayRepeat(name)) names.add(name);
  }
  return names;
}

/** Adds `name`; false when it was there already. */
function addOnce(names: Set<string>, name: string): boolean {
  if (names.has(name)) return false;
  names.add(name);
  return true;
}
