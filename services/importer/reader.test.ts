import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRows, type Format, type SourceItem } from './reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'tessera-reader-'));

async function items(text: string, format: Format, columns: string[] = ['Id', 'Name']): Promise<unknown[]> {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}.${format}`);
  writeFileSync(file, text);
  const out: unknown[] = [];
  for await (const i of openRows(file, format).items as AsyncIterable<SourceItem>) {
    if (i.kind === 'row') out.push({ line: i.line, ...Object.fromEntries(columns.map((c) => [c, i.cells(c)])) });
    else out.push(i);
  }
  return out;
}

describe('openRows: CSV', () => {
  it('reads the header, quoted fields (spaces inside quotes are data) and multi-line values with the line each row starts on', async () => {
    expect(await items('\uFEFFId,Name\n1," Ann ""A"", Jr. "\n2,"multi\nline"\n\n3,Cid\r\n4,Dan,extra\n', 'csv')).toEqual([
      { kind: 'header', columns: ['Id', 'Name'] },
      { line: 2, Id: '1', Name: ' Ann "A", Jr. ' },
      { line: 3, Id: '2', Name: 'multi\nline' },
      { line: 6, Id: '3', Name: 'Cid' },
      { kind: 'bad', line: 7, problem: 'CSV: expected 2 fields as in the header, got 3' },
    ]);
  });
  it('reports an unclosed quote and keeps the rows before it', async () => {
    const out = await items('Id,Name\n1,Ann\n2,"Bob\n', 'csv');
    expect(out.slice(0, 2)).toEqual([{ kind: 'header', columns: ['Id', 'Name'] }, { line: 2, Id: '1', Name: 'Ann' }]);
    expect(out[2]).toMatchObject({ kind: 'bad', problem: expect.stringContaining('Quote Not Closed') });
  });
});

describe('openRows: NDJSON', () => {
  it('reads one object per line, nested fields by dotted path, and reports bad lines by number', async () => {
    expect(await items('{"Id":1,"who":{"Name":"Ann"}}\n\n[1]\n{"Id":\n{"Id":3,"Name":"Cid"}\n', 'ndjson', ['Id', 'Name', 'who.Name'])).toEqual([
      { line: 1, Id: 1, Name: undefined, 'who.Name': 'Ann' },
      { kind: 'bad', line: 3, problem: 'NDJSON: expected a JSON object per line, got array' },
      { kind: 'bad', line: 4, problem: expect.stringContaining('NDJSON: not valid JSON') },
      { line: 5, Id: 3, Name: 'Cid', 'who.Name': undefined },
    ]);
  });
});
