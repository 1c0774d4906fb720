import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openRows, type Format, type SourceItem } from './reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-reader-'));

async function items(text: string | Buffer, format: Format, columns: string[] = ['Id', 'Name'], maxRowBytes?: number): Promise<unknown[]> {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.${format}`);
  writeFileSync(file, text);
  const out: unknown[] = [];
  for await (const i of openRows(file, format, maxRowBytes).items as AsyncIterable<SourceItem>) {
    if (i.kind === 'row') out.push({ line: i.line, ...Object.fromEntries(columns.map((c) => [c, i.cells(c)])) });
    else out.push(i);
  }
  return out;
}

const header = { kind: 'header', columns: ['Id', 'Name'] };

describe('openRows: CSV', () => {
  it('reads the header, quoted fields (spaces inside quotes are data) and multi-line values with the line each row starts on', async () => {
    expect(await items('\uFEFFId,Name\n1," Ann ""A"", Jr. "\n2,"multi\nline"\n\n3,Cid\r\n4,Dan,extra\n', 'csv')).toEqual([
      header,
      { line: 2, Id: '1', Name: ' Ann "A", Jr. ' },
      { line: 3, Id: '2', Name: 'multi\nline' },
      { line: 6, Id: '3', Name: 'Cid' },
      { kind: 'bad', line: 7, problem: 'CSV: expected 2 fields as in the header, got 3' },
    ]);
  });

  it('an unclosed quote in the middle is reported on the line it opens, and every row after it is read', async () => {
    expect(await items('Id,Name\n1,Ann\n2,"Bob\n3,Cid\n4,"Dan"\n5,Eve\n', 'csv')).toEqual([
      header,
      { line: 2, Id: '1', Name: 'Ann' },
      { kind: 'bad', line: 3, problem: 'CSV: quote not closed: the quoted field that starts on line 3 meets "D" after a quote on line 5' },
      { line: 4, Id: '3', Name: 'Cid' },
      { line: 5, Id: '4', Name: 'Dan' },
      { line: 6, Id: '5', Name: 'Eve' },
    ]);
  });

  it('an unclosed quote that runs to the end of the file: the rows after it are read all the same', async () => {
    expect(await items('Id,Name\n1,Ann\n2,"Bob\n3,Cid\n4,Dan', 'csv')).toEqual([
      header,
      { line: 2, Id: '1', Name: 'Ann' },
      { kind: 'bad', line: 3, problem: 'CSV: quote not closed: the quoted field that starts on line 3 runs to the end of the file' },
      { line: 4, Id: '3', Name: 'Cid' },
      { line: 5, Id: '4', Name: 'Dan' },
    ]);
  });

  it('stray quotes: text after a closing quote, a quote inside an unquoted field', async () => {
    expect(await items('Id,Name\n1,"Ann"x\n2,Bo"b\n3,"Cid" \n', 'csv')).toEqual([
      header,
      { kind: 'bad', line: 2, problem: 'CSV: "x" after the closing quote of a field (a quote inside a quoted field is written "")' },
      { kind: 'bad', line: 3, problem: expect.stringMatching(/^CSV: Invalid Opening Quote: a quote is found on field 1, value is "Bo"$/) },
      { line: 4, Id: '3', Name: 'Cid' },
    ]);
  });

  it('a 9 MB cell between good rows is rejected on its line; the rows around it are read', async () => {
    const big = 'x'.repeat(9 << 20);
    expect(await items(`Id,Name\n1,Ann\n2,"${big}"\n3,Cid\n4,${big}\n5,Eve\n`, 'csv')).toEqual([
      header,
      { line: 2, Id: '1', Name: 'Ann' },
      { kind: 'bad', line: 3, problem: `CSV: row of ${big.length + 4} bytes is over the 524288-byte limit (TESSERA_IMPORT_MAX_ROW_BYTES)` },
      { line: 4, Id: '3', Name: 'Cid' },
      { kind: 'bad', line: 5, problem: `CSV: row of ${big.length + 2} bytes is over the 524288-byte limit (TESSERA_IMPORT_MAX_ROW_BYTES)` },
      { line: 6, Id: '5', Name: 'Eve' },
    ]);
  });

  it('an oversized quoted cell over several lines is skipped to its end, not read as rows', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `${i},looks,like,a,row`).join('\n');
    expect(await items(`Id,Name\n1,"${lines}"\n2,Bob\n`, 'csv', ['Id', 'Name'], 1024)).toEqual([
      header,
      { kind: 'bad', line: 2, problem: `CSV: row of ${lines.length + 4} bytes is over the 1024-byte limit (TESSERA_IMPORT_MAX_ROW_BYTES, lines 2–101)` },
      { line: 102, Id: '2', Name: 'Bob' },
    ]);
  });

  it('an unclosed quote that passes the size limit is reported once; reading resumes on its next line', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i + 3},Name ${i + 3}`).join('\n');
    const out = await items(`Id,Name\n1,Ann\n2,"Bob\n${rows}\n`, 'csv', ['Id', 'Name'], 256);
    expect(out.slice(0, 3)).toEqual([header, { line: 2, Id: '1', Name: 'Ann' }, { kind: 'bad', line: 3, problem: expect.stringContaining('quote not closed') }]);
    expect(out.slice(3)).toEqual(Array.from({ length: 100 }, (_, i) => ({ line: i + 4, Id: String(i + 3), Name: `Name ${i + 3}` })));
  });

  it('a header that cannot be read stops the import with a coded error', async () => {
    await expect(items('Id,"Name\n1,Ann\n', 'csv')).rejects.toMatchObject({ code: 'TSR_IMPORT_BAD_HEADER' });
  });
});

describe('openRows: NDJSON', () => {
  it('reads one object per line, nested fields by dotted path, and reports bad lines by number', async () => {
    expect(await items('\uFEFF{"Id":1,"who":{"Name":"Ann"}}\n\n[1]\n{"Id":\n{"Id":3,"Name":"Cid"}\r\n', 'ndjson', ['Id', 'Name', 'who.Name'])).toEqual([
      { line: 1, Id: 1, Name: undefined, 'who.Name': 'Ann' },
      { kind: 'bad', line: 3, problem: 'NDJSON: expected a JSON object per line, got array' },
      { kind: 'bad', line: 4, problem: expect.stringContaining('NDJSON: not valid JSON') },
      { line: 5, Id: 3, Name: 'Cid', 'who.Name': undefined },
    ]);
  });

  it('an oversized line is rejected on its line; the lines around it are read', async () => {
    const big = JSON.stringify({ Id: 2, Name: 'x'.repeat(9 << 20) });
    expect(await items(`{"Id":1,"Name":"Ann"}\n${big}\n{"Id":3,"Name":"Cid"}`, 'ndjson')).toEqual([
      { line: 1, Id: 1, Name: 'Ann' },
      { kind: 'bad', line: 2, problem: `NDJSON: row of ${big.length} bytes is over the 524288-byte limit (TESSERA_IMPORT_MAX_ROW_BYTES)` },
      { line: 3, Id: 3, Name: 'Cid' },
    ]);
  });
});

// Any table, written as RFC 4180 CSV with either line end, reads back cell for cell with the right line numbers.
const cell = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', ' padded ', 'a,b', 'say "hi"', 'two\nlines', 'crlf\r\nend', '"', '""', 'Zoë 🧩', '\r'),
);
const quoteIfNeeded = (v: string): string => (/[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

describe('openRows: CSV property', () => {
  it('reads back any table, each row on the line it starts', async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 2, max: 4 }).chain((n) => fc.tuple(
        fc.constant(n), fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean(),
      )),
      async ([n, table, eol, blankLines]) => {
        const columns = Array.from({ length: n }, (_, i) => `c${i}`);
        let text = `${columns.join(',')}${eol}`;
        let line = 2;
        const expected: unknown[] = [{ kind: 'header', columns }];
        for (const row of table) {
          if (blankLines) { text += eol; line += 1; }
          // A row of empty cells would be an empty line: quote one so it is a row.
          const fields = row.every((v) => v === '') ? ['""', ...row.slice(1)] : row.map(quoteIfNeeded);
          const written = fields.join(',');
          expected.push({ line, ...Object.fromEntries(columns.map((c, i) => [c, row[i]])) });
          text += written + eol;
          line += (written.match(/\n/g) ?? []).length + 1;
        }
        expect(await items(text, 'csv', columns)).toEqual(expected);
      },
    ), { numRuns: 150 });
  });
});
