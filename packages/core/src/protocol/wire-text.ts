// Bytes -> text the way node:http does it (latin1, one char per byte), and quoting for error messages.

const MAX_QUOTED_CHARS = 64;

// Buffer#latin1Slice is what node:http's own header decoding amounts to; it is undocumented but present on
// every supported Node, and ~15% faster than toString('latin1', …). Never TextDecoder('latin1'): that is
// windows-1252 and maps 0x80–0x9F elsewhere.
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

/** Decodes `buf[start, end)` as latin1: every byte becomes the char with the same code. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Latin1Slicer).latin1Slice(start, end);
}

/** Most values are shorter: a loop over their bytes costs less than a Buffer#indexOf call. */
const SHORT_VALUE_BYTES = 32;

/** The position of the first NUL in `buf` at or after `start`; there must be one before `end`. */
export function nextNul(buf: Buffer, start: number, end: number): number {
  const shortEnd = Math.min(start + SHORT_VALUE_BYTES, end);
  for (let pos = start; pos < shortEnd; pos++) if (buf[pos] === 0) return pos;
  return buf.indexOf(0, shortEnd);
}

/** A peer-supplied string made safe and short for an operator-readable error message. */
export function quote(text: string): string {
  return JSON.stringify(text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text);
}
