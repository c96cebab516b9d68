// The last header block's shape, matched against the next block as a whole: its bytes where they repeat,
// any value where they vary.

import { copyKnown, KnownVariables, knownSlot, setKnown, UNKNOWN } from './known-variables.js';
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

  private constructor(
    /**
     * The 8-byte words of each run of 8 bytes or more, all runs one after another: from its start every
     * 8 bytes, the last one ending where the run does (it may overlap the one before). Read as doubles:
     * one load and compare per word. Equal doubles are equal bytes but for +0 and -0 (seven NUL bytes in
     * a row, two empty names, never in a checked block) and NaN, which equals nothing and is compared by
     * its bytes.
     */
    private readonly words: Float64Array,
    /** The same words' bytes. */
    private readonly wordBytes: DataView,
    /** The bytes of each run shorter than 8, compared one by one. */
    private readonly shortRunBytes: Uint8Array,
    /** Each run's length. */
    private readonly runLengths: Int32Array,
    /** The model's pairs: names and repeated values; each varying value's place is filled per block. */
    private readonly pairs: readonly string[],
    /** The known variables among the repeated values. */
    private readonly known: KnownVariables,
    /** Per varying value: its index in `pairs`, and its known-variable slot. */
    private readonly gapIndexes: Int32Array,
    private readonly gapSlots: Int32Array,
  ) {}

  /**
   * The template of a block that decoded without error, from its `pairs` and its bytes (`size` of
   * them at `offset` of `block`). `repeats(i)` says whether the value of pair `i` is expected again.
   */
  static of(
    block: Buffer,
    offset: number,
    pairs: readonly string[],
    repeats: (pairIndex: number) => boolean,
  ): BlockTemplate {
    const fixedKnown = new KnownVariables();
    const gapIndexes: number[] = [];
    const gapSlots: number[] = [];
    const runs: Array<[start: number, end: number]> = [];
    let runStart = offset;
    let pos = offset;
    for (let i = 0; i < pairs.length / 2; i++) {
      const name = pairs[2 * i]!;
      const value = pairs[2 * i + 1]!;
      const slot = knownSlot(name);
      pos += name.length + 1;
      if (repeats(i)) {
        if (slot !== UNKNOWN) setKnown(fixedKnown, slot, value);
      } else {
        runs.push([runStart, pos]);
        gapIndexes.push(2 * i + 1);
        gapSlots.push(slot);
        runStart = pos + value.length + 1;
      }
      pos += value.length + 1;
    }
    runs.push([runStart, pos]);
    const wordBuffers: Buffer[] = [];
    const shortRunBytes: number[] = [];
    for (const [start, end] of runs) {
      if (end - start >= 8) {
        for (let at = start; at < end - 8; at += 8) wordBuffers.push(block.subarray(at, at + 8));
        wordBuffers.push(block.subarray(end - 8, end));
      } else {
        for (let at = start; at < end; at++) shortRunBytes.push(block[at]!);
      }
    }
    // (A copy: the block may be the shared read buffer.)
    const wordBytes = Buffer.concat(wordBuffers);
    const words = new Float64Array(wordBytes.length / 8);
    for (let i = 0; i < words.length; i++) words[i] = wordBytes.readDoubleLE(8 * i);
    const template = new BlockTemplate(
      words,
      new DataView(wordBytes.buffer, wordBytes.byteOffset, wordBytes.length),
      Uint8Array.from(shortRunBytes),
      Int32Array.from(runs.map(([start, end]) => end - start)),
      pairs.slice(),
      fixedKnown,
      Int32Array.from(gapIndexes),
      Int32Array.from(gapSlots),
    );
    for (let i = 0; i < gapIndexes.length; i++) (template.pairs as string[])[gapIndexes[i]!] = '';
    return template;
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
    const { words, wordBytes, shortRunBytes, runLengths } = this;
    const base = block.byteOffset;
    const end = base + offset + size;
    let pos = base + offset;
    let word = 0;
    let byte = 0;
    const gapCount = this.gapIndexes.length;
    const pairs = this.pairs.slice();
    const known = copyKnown(this.known);
    for (let gap = 0; ; gap++) {
      const runEnd = pos + runLengths[gap]!;
      if (runEnd > end) return undefined;
      if (runEnd - pos >= 8) {
        const lastWord = runEnd - 8;
        for (; pos < lastWord; pos += 8, word++) {
          if (view.getFloat64(pos, true) !== words[word] && !sameBytes(view, pos, wordBytes, 8 * word)) {
            return undefined;
          }
        }
        const same = view.getFloat64(lastWord, true) === words[word];
        if (!same && !sameBytes(view, lastWord, wordBytes, 8 * word)) return undefined;
        word++;
      } else {
        for (; pos < runEnd; pos++, byte++) if (view.getUint8(pos) !== shortRunBytes[byte]) return undefined;
      }
      pos = runEnd;
      if (gap === gapCount) break;
      // A varying value: up to the next NUL, which the block's last byte guarantees.
      const valueEnd = nextNul(block, pos - base, end - base);
      const value = latin1(block, pos - base, valueEnd);
      pos = valueEnd + base + 1;
      pairs[this.gapIndexes[gap]!] = value;
      const slot = this.gapSlots[gap]!;
      if (slot !== UNKNOWN) setKnown(known, slot, value);
    }
    if (pos !== end) return undefined;
    return checkedRequestHead(pairs, known, envPrototype, this.shape);
  }
}

/** Whether the 8 bytes at `pos` of `view` are those at `at` of `other`. */
function sameBytes(view: DataView, pos: number, other: DataView, at: number): boolean {
  return view.getInt32(pos) === other.getInt32(at) && view.getInt32(pos + 4) === other.getInt32(at + 4);
}
