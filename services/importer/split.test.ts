import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, LineSplitter, type Piece } from './split.ts';

type Make = (maxBytes: number) => CsvSplitter | LineSplitter;
const csv: Make = (maxBytes) => new CsvSplitter({ offset: 0, line: 1, maxBytes });
const lines: Make = (maxBytes) => new LineSplitter({ offset: 0, line: 1, maxBytes });

/** Feeds `bytes` cut at `cuts`; stops at a restart as the reader does. */
function split(make: Make, bytes: Buffer, cuts: number[], maxBytes = 1 << 20): { pieces: Piece[]; position: number } {
  const s = make(maxBytes);
  const pieces: Piece[] = [];
  const bounds = [...new Set([0, ...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  for (let i = 1; i < bounds.length; i++) {
    pieces.push(...s.push(bytes.subarray(bounds[i - 1], bounds[i])));
    // After a restart the splitter is done; where it stopped reading is of no use to anyone.
    if (pieces.some((p) => p.kind === 'restart')) return { pieces, position: -1 };
  }
  pieces.push(...s.end());
  return { pieces, position: s.position };
}

const text = fc.array(fc.constantFrom('a', 'é', ',', '"', '\n', '\r', ' ', '\uFEFF'), { maxLength: 60 }).map((cs) => cs.join(''));

describe('splitters', () => {
  it.each([['CSV', csv], ['NDJSON', lines]] as const)('%s: where a read cuts the file changes nothing', (_name, make) => {
    fc.assert(fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), fc.integer({ min: 1, max: 20 }), (t, cuts, max) => {
      const bytes = Buffer.from(t);
      const whole = split(make, bytes, [], max);
      expect(split(make, bytes, cuts, max)).toEqual(whole);
    }), { numRuns: 500 });
  });

  it('CSV: a restart points at the line after the row it could not read', () => {
    const bytes = Buffer.from('a,"b\nc,d\ne,"f"g\n');
    expect(split(csv, bytes, []).pieces).toEqual([{
      kind: 'restart', line: 1, offset: 5, resumeLine: 2,
      problem: 'CSV: quote not closed: the quoted field that starts on line 1 meets "f" after a quote on line 3',
    }]);
    expect(bytes.subarray(5).toString()).toBe('c,d\ne,"f"g\n');
  });

  it('CSV: a byte-order mark is not data, and positions count it', () => {
    const bytes = Buffer.from('\uFEFFa,b\n');
    expect(split(csv, bytes, [])).toEqual({ pieces: [{ kind: 'record', line: 1, text: 'a,b' }], position: bytes.length });
  });

  it('blank lines (spaces, CRs) are not rows', () => {
    expect(split(csv, Buffer.from('\n  \r\n\t\na\n'), []).pieces).toEqual([{ kind: 'record', line: 4, text: 'a' }]);
    expect(split(lines, Buffer.from('\n  \r\n{}\r\n'), []).pieces).toEqual([{ kind: 'record', line: 3, text: '{}' }]);
  });
});
