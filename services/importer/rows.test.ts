import { describe, expect, it } from 'vitest';
import { parseMapping, type Mapping } from './mapping.ts';
import { importRow, rowToCall, type Cells } from './rows.ts';

const mapping = (m: Record<string, unknown>): Mapping => {
  const r = parseMapping(JSON.stringify({ type: 'identify', source: 'crm', ...m }));
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.mapping;
};
const cells = (row: Record<string, unknown>): Cells => (c) => row[c];
const ctx = { file: 'contacts.csv', line: 7, receivedAt: Date.parse('2026-03-01T00:00:00Z'), maxFutureMs: 86_400_000 };

describe('rowToCall', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]>([
    ['column', { userId: 'cid' }, { cid: 'u1' }, { userId: 'u1' }],
    ['empty cell is absent', { userId: 'cid', anonymousId: 'aid' }, { cid: '', aid: 'a1' }, { anonymousId: 'a1' }],
    ['template', { userId: 'cid', traits: { name: '{{First}} {{Last}}' } }, { cid: 'u', First: 'Ann', Last: 'Lee' }, { traits: { name: 'Ann Lee' } }],
    ['template with one part missing', { userId: 'cid', traits: { name: '{{First}} {{Last}}' } }, { cid: 'u', First: 'Ann', Last: '' }, { traits: { name: 'Ann' } }],
    ['number', { userId: 'cid', traits: { ltv: { column: 'LTV', as: 'number' } } }, { cid: 'u', LTV: '1,250.5' }, { traits: { ltv: 1250.5 } }],
    ['boolean', { userId: 'cid', traits: { nl: { column: 'NL', as: 'boolean' } } }, { cid: 'u', NL: 'Yes' }, { traits: { nl: true } }],
    ['json', { userId: 'cid', properties: { tags: { column: 'T', as: 'json' } } }, { cid: 'u', T: '["a"]' }, { properties: { tags: ['a'] } }],
    ['literal', { userId: 'cid', properties: { survey: { value: 'Q2' } } }, { cid: 'u' }, { properties: { survey: 'Q2' } }],
    ['dotted context keys nest', { userId: 'cid', context: { 'location.country': 'C' } }, { cid: 'u', C: 'DE' }, { context: { location: { country: 'DE' } } }],
    ['external id trimmed', { userId: 'cid', externalIds: [{ type: 'crm_id', column: 'Id' }] }, { cid: 'u', Id: ' C-1 ' }, { externalIds: [{ type: 'crm_id', id: 'C-1' }] }],
  ])('%s', (_n, m, row, expected) => {
    const r = rowToCall(mapping(m), cells(row), ctx);
    expect(r.problems).toEqual([]);
    expect(r.call).toMatchObject(expected);
  });

  it('derives the messageId from file name and line number', () => {
    const m = mapping({ userId: 'cid' });
    const a = rowToCall(m, cells({ cid: 'u' }), ctx).call.messageId;
    expect(a).toMatch(/^tsr-[0-9a-f]{32}$/);
    expect(rowToCall(m, cells({ cid: 'other' }), ctx).call.messageId).toBe(a);
    expect(rowToCall(m, cells({ cid: 'u' }), { ...ctx, line: 8 }).call.messageId).not.toBe(a);
    expect(rowToCall(m, cells({ cid: 'u' }), { ...ctx, file: 'b.csv' }).call.messageId).not.toBe(a);
  });
});

describe('importRow: the collector\'s validation, with other identifiers allowed', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string | null]>([
    ['email only is enough', { traits: { email: 'E' } }, { E: 'a@b.c' }, null],
    ['external id only is enough', { externalIds: [{ type: 'crm_id', column: 'Id' }] }, { Id: 'C-1' }, null],
    ['no identifier in the row', { userId: 'cid', traits: { email: 'E' } }, { cid: '', E: ' ' }, 'userId: missing: a row needs a userId, an anonymousId, traits.email, traits.phone or an external id'],
    ['bad number', { userId: 'cid', traits: { n: { column: 'N', as: 'number' } } }, { cid: 'u', N: 'abc' }, 'N: "abc" is not a number'],
    ['bad date', { userId: 'cid', timestamp: 'T' }, { cid: 'u', T: '03/15/2024' }, 'timestamp: not an ISO-8601 date-time: "03/15/2024"'],
  ])('%s', (_n, m, row, problem) => {
    const r = importRow(mapping(m), cells(row), ctx);
    if (problem === null) {
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.touchpoint).toMatchObject({ source: 'crm', type: 'identify', receivedAt: ctx.receivedAt, timestamp: ctx.receivedAt });
    } else {
      expect(r).toMatchObject({ ok: false, line: 7 });
      if (!r.ok) expect(r.problems.join('\n')).toContain(problem);
    }
  });
});
