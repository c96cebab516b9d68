// A remembered name is found at any offset, by every one of its bytes, whatever their values.
import { describe, expect, it } from 'vitest';
import { bufferView, MAX_REMEMBERED_VALUE_BYTES, RememberedName } from './remembered-name.js';

describe('RememberedName', () => {
  it('is found at every offset of a buffer, for names of 1 to 9 bytes, high bytes too', () => {
    for (let length = 1; length <= 9; length++) {
      const name = Array.from({ length }, (_, i) =>
        String.fromCharCode([0x41, 0xe9, 0xfc, 0x80][i % 4]! + (i >> 2)),
      ).join('');
      const remembered = new RememberedName(name, -1);
      expect(remembered.length).toBe(length);
      for (let offset = 0; offset < 5; offset++) {
        const block = Buffer.concat([
          Buffer.alloc(offset, 0x5f),
          Buffer.from(name, 'latin1'),
          Buffer.from([0]),
        ]);
        expect(remembered.isAt(bufferView(block), block.byteOffset + offset), `${length}@${offset}`).toBe(
          true,
        );
      }
    }
  });

  it('is not found when any one byte differs', () => {
    const name = 'REQUEST_METHOD';
    const remembered = new RememberedName(name, -1);
    for (let i = 0; i < name.length; i++) {
      const block = Buffer.from(`_${name}\0`, 'latin1');
      block[1 + i] = block[1 + i]! ^ 0x20;
      expect(remembered.isAt(bufferView(block), block.byteOffset + 1), `byte ${i}`).toBe(false);
    }
  });

  it('views each buffer it is given, not the last one', () => {
    const first = Buffer.from('SCGI\0', 'latin1');
    const second = Buffer.from('XCGI\0', 'latin1');
    const scgi = new RememberedName('SCGI', -1);
    expect(scgi.isAt(bufferView(first), first.byteOffset)).toBe(true);
    expect(scgi.isAt(bufferView(second), second.byteOffset)).toBe(false);
    expect(scgi.isAt(bufferView(first), first.byteOffset)).toBe(true);
  });

  it('remembers a value up to MAX_REMEMBERED_VALUE_BYTES, found by its bytes, until told to forget it', () => {
    const longest = 'v'.repeat(MAX_REMEMBERED_VALUE_BYTES);
    expect(new RememberedName('X', -1, `${longest}v`).value).toBeUndefined();
    expect(new RememberedName('X', -1).value).toBeUndefined();
    const remembered = new RememberedName('X', -1, longest);
    expect(remembered.value).toBe(longest);
    const block = Buffer.from(`X\0${longest}\0`, 'latin1');
    expect(remembered.valueIsAt(bufferView(block), block.byteOffset + 2)).toBe(true);
    block[2 + MAX_REMEMBERED_VALUE_BYTES - 1] = 0x77;
    expect(remembered.valueIsAt(bufferView(block), block.byteOffset + 2)).toBe(false);
    remembered.forgetValue();
    expect(remembered.value).toBeUndefined();
  });
});
