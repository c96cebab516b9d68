// A variable name remembered from the last header block, recognised in the next one by its bytes.

/**
 * A name, its known-variable slot, and its bytes as little-endian 32-bit words (and the 0-3 bytes left
 * over), compared four at a time through a DataView: byte by byte, each comparison repeated the typed
 * array's checks, 2.6k instructions of a 189-byte block's decode.
 */
export class RememberedName {
  readonly length: number;
  private readonly words: number[] = [];
  private readonly tail: number[] = [];

  /** `name` is latin1-decoded: each char's code is a byte. */
  constructor(
    readonly name: string,
    readonly slot: number,
  ) {
    this.length = name.length;
    const wordBytes = name.length - (name.length % 4);
    for (let i = 0; i < wordBytes; i += 4) {
      const word =
        name.charCodeAt(i) |
        (name.charCodeAt(i + 1) << 8) |
        (name.charCodeAt(i + 2) << 16) |
        (name.charCodeAt(i + 3) << 24);
      this.words.push(word >>> 0);
    }
    for (let i = wordBytes; i < name.length; i++) this.tail.push(name.charCodeAt(i));
  }

  /** Whether the bytes at `at` (an offset into `view`'s buffer, `length` of them inside it) are this name. */
  isAt(view: DataView, at: number): boolean {
    const { words, tail } = this;
    let pos = at;
    for (let i = 0; i < words.length; i++, pos += 4) if (view.getUint32(pos, true) !== words[i]) return false;
    for (let i = 0; i < tail.length; i++, pos++) if (view.getUint8(pos) !== tail[i]) return false;
    return true;
  }
}

let viewedBuffer: ArrayBufferLike | undefined;
let view: DataView | undefined;

/**
 * A DataView of all of `block`'s buffer (offsets in it are `block.byteOffset` on). The last one is kept:
 * blocks keep coming from the one shared read buffer.
 */
export function bufferView(block: Buffer): DataView {
  if (block.buffer !== viewedBuffer || view === undefined) {
    viewedBuffer = block.buffer;
    view = new DataView(block.buffer);
  }
  return view;
}
