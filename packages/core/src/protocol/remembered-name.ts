// A variable name remembered from the last header block, recognised in the next one by its bytes, and
// its value while every block repeats it.

/** Bytes of a latin1 string as little-endian 32-bit words and the 0-3 bytes left over. */
interface WordBytes {
  readonly words: number[];
  readonly tail: number[];
}

function wordBytes(text: string): WordBytes {
  const words: number[] = [];
  const tail: number[] = [];
  const whole = text.length - (text.length % 4);
  for (let i = 0; i < whole; i += 4) {
    const word =
      text.charCodeAt(i) |
      (text.charCodeAt(i + 1) << 8) |
      (text.charCodeAt(i + 2) << 16) |
      (text.charCodeAt(i + 3) << 24);
    words.push(word >>> 0);
  }
  for (let i = whole; i < text.length; i++) tail.push(text.charCodeAt(i));
  return { words, tail };
}

/** Whether `bytes` are at `at` in `view` (each word and tail byte, read through the view). */
function bytesAt(bytes: WordBytes, view: DataView, at: number): boolean {
  const { words, tail } = bytes;
  let pos = at;
  for (let i = 0; i < words.length; i++, pos += 4) if (view.getUint32(pos, true) !== words[i]) return false;
  for (let i = 0; i < tail.length; i++, pos++) if (view.getUint8(pos) !== tail[i]) return false;
  return true;
}

/** Longer values are not remembered: they rarely repeat, and comparing them costs as much as a scan. */
export const MAX_REMEMBERED_VALUE_BYTES = 64;
const NO_VALUE: WordBytes = { words: [], tail: [] };

/**
 * A name, its known-variable slot, and its bytes, compared four at a time through a DataView: byte by
 * byte, each comparison repeated the typed array's checks, 2.6k instructions of a 189-byte block's decode.
 *
 * Also the value the name had in the block it was remembered from, while every later block repeats it:
 * a front server sends most of its variables with the same value on every request (nginx 9 of 15, the
 * document root and server name among them), and a repeated value is then taken as it is, with no scan
 * for its end and no new string. The first block with another value forgets it for good.
 */
export class RememberedName {
  readonly length: number;
  private readonly bytes: WordBytes;
  /** The remembered value, or undefined once a block had another one (or it was too long). */
  value: string | undefined;
  private valueBytes: WordBytes;

  /** `name` and `value` are latin1-decoded: each char's code is a byte. No value: none is remembered. */
  constructor(
    readonly name: string,
    readonly slot: number,
    value?: string,
  ) {
    this.length = name.length;
    this.bytes = wordBytes(name);
    const kept = value !== undefined && value.length <= MAX_REMEMBERED_VALUE_BYTES;
    this.value = kept ? value : undefined;
    this.valueBytes = kept ? wordBytes(value) : NO_VALUE;
  }

  /** Whether the bytes at `at` (an offset into `view`'s buffer, `length` of them inside it) are this name. */
  isAt(view: DataView, at: number): boolean {
    return bytesAt(this.bytes, view, at);
  }

  /** Whether the bytes at `at` (the value's length of them inside the buffer) are the remembered value. */
  valueIsAt(view: DataView, at: number): boolean {
    return bytesAt(this.valueBytes, view, at);
  }

  /** A block had another value: it is never compared again. */
  forgetValue(): void {
    this.value = undefined;
    this.valueBytes = NO_VALUE;
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
