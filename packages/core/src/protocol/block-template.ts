// The last header block's shape, matched against the next block as a whole: its bytes where they repeat,
// any value where they vary.

import { copyKnown, KnownVariables, setKnown, UNKNOWN } from './known-variables.js';
import type { RememberedName } from './remembered-name.js';
import { checkedRequestHead, HeadShape, type RequestHead } from './request-head.js';
import { latin1, nextNul } from './wire-text.js';

/**
 * A front server sends the same variables in the same order on every request, most with the same value.
 * A template holds a checked block as fixed runs (its bytes from one varying value to the next: names,
 * NULs and repeated values) and the varying values between them. A block with the same bytes in every
 * run and a NUL-free value in each gap has the template's names in the same order, so it passes every
 * check its model did; it is read with one word-by-word comparison instead of a lookup per variable.
 */
export class BlockTemplate {
  /** Shared by the heads this template matches. */
  private readonly shape = new HeadShape();
  /** Per run: where its words start in `words` (or its bytes in `shortRunBytes`), and its length. */
  private readonly runs: number[] = [];
  /**
   * The 8-byte words of each run of 8 bytes or more, all runs one after another: from its start every
   * 8 bytes, the last one ending where the run does (it may overlap the one before). Read as doubles:
   * one load and compare per word (see sameWord).
   */
  private readonly words: number[] = [];
  /** The words' bytes as 32-bit halves, kept only when one of them is a NaN. */
  private readonly halves: number[] | undefined;
  /** The bytes of each run shorter than 8, compared one by one. */
  private readonly shortRunBytes: number[] = [];
  /** The model's pairs: names and repeated values; each varying value's place is filled per block. */
  private readonly pairs: string[];
  /** The known variables among the repeated values. */
  private readonly known = new KnownVariables();
  /** Per varying value: its index in `pairs`, and its known-variable slot. */
  private readonly gapIndexes: number[] = [];
  private readonly gapSlots: number[] = [];

  /**
   * The template of a block that decoded without error: its `pairs`, its bytes at `at` in `view` (a
   * DataView of its buffer), and for each pair the remembered name, whose value is defined when it is
   * expected again. Plain arrays, one pass over the names and one over the bytes: a template is also
   * made for traffic that changes it again at once (two clients in turn), where it must cost little.
   */
  constructor(view: DataView, at: number, pairs: readonly string[], names: readonly RememberedName[]) {
    this.pairs = pairs.slice();
    const bounds: number[] = [];
    let runStart = at;
    let pos = at;
    for (let i = 0; i < pairs.length / 2; i++) {
      const remembered = names[i]!;
      pos += remembered.length + 1;
      const valueLength = pairs[2 * i + 1]!.length;
      if (remembered.value !== undefined) {
        if (remembered.slot !== UNKNOWN) setKnown(this.known, remembered.slot, remembered.value);
      } else {
        bounds.push(runStart, pos);
        this.gapIndexes.push(2 * i + 1);
        this.gapSlots.push(remembered.slot);
        this.pairs[2 * i + 1] = '';
        runStart = pos + valueLength + 1;
      }
      pos += valueLength + 1;
    }
    bounds.push(runStart, pos);
    const { words, shortRunBytes } = this;
    let hasNaN = false;
    for (let r = 0; r < bounds.length; r += 2) {
      const start = bounds[r]!;
      const length = bounds[r + 1]! - start;
      if (length < 8) {
        this.runs.push(shortRunBytes.length, length);
        for (let i = 0; i < length; i++) shortRunBytes.push(view.getUint8(start + i));
        continue;
      }
      this.runs.push(words.length, length);
      for (let i = 0; ; i += 8) {
        const word = view.getFloat64(start + Math.min(i, length - 8), true);
        if (Number.isNaN(word)) hasNaN = true;
        words.push(word);
        if (i >= length - 8) break;
      }
    }
    this.halves = hasNaN ? halvesOf(view, bounds) : undefined;
  }

  /**
   * The head of the `size` bytes at `offset` of `block` when they fit this template, else undefined.
   * `view` is a DataView of all of `block`'s buffer. The block's last byte must be a NUL.
   */
  match(
    block: Buffer,
    offset: number,
    size: number,
    view: DataView,
    envPrototype: object | null,
  ): RequestHead | undefined {
    const { runs, words, halves, shortRunBytes } = this;
    const base = block.byteOffset;
    const end = base + offset + size;
    // Clients that take turns differ most often in their last headers: those bytes first.
    if (runs[runs.length - 1]! >= 8 && size >= 8) {
      const lastWord = words.length - 1;
      if (!sameWord(view, end - 8, words[lastWord]!, halves, lastWord)) return undefined;
    }
    const gapCount = this.gapIndexes.length;
    const gapEnds = gapEndsScratch;
    let pos = base + offset;
    for (let gap = 0; ; gap++) {
      const first = runs[2 * gap]!;
      const length = runs[2 * gap + 1]!;
      const runEnd = pos + length;
      if (runEnd > end) return undefined;
      if (length >= 8) {
        let word = first;
        for (const last = runEnd - 8; pos < last; pos += 8, word++) {
          if (!sameWord(view, pos, words[word]!, halves, word)) return undefined;
        }
        if (!sameWord(view, runEnd - 8, words[word]!, halves, word)) return undefined;
      } else {
        for (let i = 0; i < length; i++) {
          if (view.getUint8(pos + i) !== shortRunBytes[first + i]) return undefined;
        }
      }
      pos = runEnd;
      if (gap === gapCount) break;
      // A varying value: up to the next NUL, which the block's last byte guarantees.
      const valueEnd = nextNul(block, pos - base, end - base) + base;
      gapEnds[gap] = valueEnd;
      pos = valueEnd + 1;
    }
    if (pos !== end) return undefined;
    // It fits: now the varying values are decoded (a block that does not fit costs no allocation).
    const pairs = this.pairs.slice();
    const known = copyKnown(this.known);
    pos = base + offset;
    for (let gap = 0; gap < gapCount; gap++) {
      pos += runs[2 * gap + 1]!;
      const value = latin1(block, pos - base, gapEnds[gap]! - base);
      pos = gapEnds[gap]! + 1;
      pairs[this.gapIndexes[gap]!] = value;
      const slot = this.gapSlots[gap]!;
      if (slot !== UNKNOWN) setKnown(known, slot, value);
    }
    return checkedRequestHead(pairs, known, envPrototype, this.shape);
  }
}

/** Where each varying value of the block being matched ends (one match runs at a time). */
const gapEndsScratch: number[] = [];

/**
 * Whether the 8 bytes at `pos` of `view` are word `index` of a template, `word`. Equal doubles are
 * equal bytes but for +0 and -0 (seven NUL bytes in a row, two empty names, never in a checked block)
 * and NaN, which equals nothing: a template with a NaN word has its `halves` to compare instead.
 */
function sameWord(
  view: DataView,
  pos: number,
  word: number,
  halves: readonly number[] | undefined,
  index: number,
): boolean {
  return (
    view.getFloat64(pos, true) === word ||
    (halves !== undefined &&
      view.getInt32(pos, true) === halves[2 * index] &&
      view.getInt32(pos + 4, true) === halves[2 * index + 1])
  );
}

/** The words of the runs at `bounds` (start, end, ...) in `view`, as 32-bit halves, in template order. */
function halvesOf(view: DataView, bounds: readonly number[]): number[] {
  const halves: number[] = [];
  for (let r = 0; r < bounds.length; r += 2) {
    const start = bounds[r]!;
    const length = bounds[r + 1]! - start;
    if (length < 8) continue;
    for (let i = 0; ; i += 8) {
      const at = start + Math.min(i, length - 8);
      halves.push(view.getInt32(at, true), view.getInt32(at + 4, true));
      if (i >= length - 8) break;
    }
  }
  return halves;
}
