import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRows, RowBinaryWriter } from './rowbinary.ts';
import type { Column, ColumnType } from './tables.ts';

/** A reference decoder, written from the format description (LEB128 lengths, little-endian numbers). */
function decode(columns: readonly Column[], buf: Buffer): Record<string, unknown>[] {
  let pos = 0;
  const varUInt = () => {
    let n = 0, shift = 1;
    for (;;) {
      const b = buf[pos++]!;
      n += (b & 0x7f) * shift;
      if (b < 0x80) return n;
      shift *= 128;
    }
  };
  const str = () => { const n = varUInt(); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; };
  const read: Record<ColumnType, () => unknown> = {
    String: str,
    UInt8: () => buf[pos++],
    UInt32: () => { const v = buf.readUInt32LE(pos); pos += 4; return v; },
    UInt64: () => { const v = buf.readBigUInt64LE(pos); pos += 8; return v.toString(); },
    Float64: () => { const v = buf.readDoubleLE(pos); pos += 8; return v; },
    DateTime: () => { const v = buf.readUInt32LE(pos); pos += 4; return v; },
    "DateTime('UTC')": () => { const v = buf.readUInt32LE(pos); pos += 4; return v; },
    'Array(String)': () => Array.from({ length: varUInt() }, str),
  };
  const rows = [];
  while (pos < buf.length) rows.push(Object.fromEntries(columns.map(([n, t]) => [n, read[t]()])));
  return rows;
}

const COLUMNS: Column[] = [['s', 'String'], ['u', 'UInt32'], ['big', 'UInt64'], ['f', 'Float64'], ['t', "DateTime('UTC')"], ['a', 'Array(String)']];

describe('RowBinary', () => {
  it.each<[string, ColumnType, unknown, number[]]>([
    ['a short string: one length byte', 'String', 'ab', [2, 0x61, 0x62]],
    ['an empty string', 'String', '', [0]],
    ['a non-ASCII string: length in bytes', 'String', 'ü', [2, 0xc3, 0xbc]],
    ['UInt32 little-endian', 'UInt32', 258, [2, 1, 0, 0]],
    ['UInt64 from a decimal string above 2^53', 'UInt64', '9007199254740993', [1, 0, 0, 0, 0, 0, 0x20, 0]],
    ['UInt64 from a number', 'UInt64', 2 ** 32 + 1, [1, 0, 0, 0, 1, 0, 0, 0]],
    ['DateTime as epoch seconds', 'DateTime', 1, [1, 0, 0, 0]],
    ['Array(String): count then elements', 'Array(String)', ['a', ''], [2, 1, 0x61, 0]],
  ])('%s', (_n, type, value, bytes) => {
    expect([...encodeRows([['c', type]], [{ c: value }])]).toEqual(bytes);
  });

  it.each<[string, ColumnType, unknown, unknown]>([
    ['a negative UInt32 becomes 0', 'UInt32', -5, 0],
    ['a fractional UInt32 is truncated', 'UInt32', 3.9, 3],
    ['a UInt32 above range is clamped', 'UInt32', 2 ** 40, 2 ** 32 - 1],
    ['a time before 1970 is clamped to 0', 'DateTime', -86_400, 0],
    ['a missing string is empty', 'String', undefined, ''],
    ['a non-numeric UInt64 is 0', 'UInt64', 'x12', '0'],
    ['a missing array is empty', 'Array(String)', null, []],
  ])('never throws on a bad value: %s', (_n, type, value, expected) => {
    expect(decode([['c', type]], encodeRows([['c', type]], [{ c: value }]))).toEqual([{ c: expected }]);
  });

  it('a string longer than one length byte allows gets a multi-byte length', () => {
    const s = 'é'.repeat(100); // 200 bytes
    const buf = encodeRows([['c', 'String']], [{ c: s }]);
    expect([...buf.subarray(0, 2)]).toEqual([0xc8, 0x01]);
    expect(decode([['c', 'String']], buf)).toEqual([{ c: s }]);
  });

  it('round-trips any rows through the reference decoder, growing its buffer as needed', () => {
    const row = fc.record({
      s: fc.string({ unit: 'grapheme', maxLength: 80 }),
      u: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      big: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
      f: fc.double({ noNaN: true }),
      t: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      a: fc.array(fc.string({ unit: 'grapheme', maxLength: 50 }), { maxLength: 5 }),
    });
    fc.assert(fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
      const w = new RowBinaryWriter(16);
      expect(decode(COLUMNS, encodeRows(COLUMNS, rows, w))).toEqual(rows);
      expect(w.length).toBe(0); // taken: the writer starts over
    }));
  });
});
