import { describe, expect, it } from 'vitest';
import { boolParam, encodeCursor, eventCursorParam, keyCursorParam, limitParam, listParam, rangeParams, sortParam, timeParam } from './params.ts';

const q = (s: string) => new URLSearchParams(s);
const NOW = Date.UTC(2026, 10, 30, 12);
const DAY = 86_400_000;

describe('query parameters', () => {
  it.each([
    ['', { ok: true, value: 10 }],
    ['limit=1', { ok: true, value: 1 }],
    ['limit=200', { ok: true, value: 200 }],
    ['limit=0', { ok: false }],
    ['limit=201', { ok: false }],
    ['limit=-3', { ok: false }],
    ['limit=2.5', { ok: false }],
    ['limit=ten', { ok: false }],
  ])('limit %j', (s, want) => {
    expect(limitParam(q(s), 10, 200)).toMatchObject(want);
  });

  it.each([
    ['include=a,%20b,,c', ['a', 'b', 'c']],
    ['include=Order%20Completed,page', ['Order Completed', 'page']],
    ['', []],
  ])('list %j', (s, want) => {
    expect(listParam(q(s), 'include')).toEqual({ ok: true, value: want });
  });

  it('refuses a list longer than allowed', () => {
    expect(listParam(q(`include=${Array.from({ length: 5 }, (_, i) => i).join(',')}`), 'include', 4)).toMatchObject({ ok: false });
  });

  it.each([
    ['verbose=true', true], ['verbose=false', false], ['', false],
  ])('bool %j', (s, want) => expect(boolParam(q(s), 'verbose')).toEqual({ ok: true, value: want }));

  it.each([['sort=asc', 'asc'], ['sort=desc', 'desc'], ['', 'desc']])('sort %j', (s, want) => expect(sortParam(q(s))).toEqual({ ok: true, value: want }));

  it.each(['verbose=yes', 'sort=up'])('refuses %j', (s) => {
    expect(s.startsWith('sort') ? sortParam(q(s)) : boolParam(q(s), 'verbose')).toMatchObject({ ok: false });
  });

  it.each([
    ['start=2026-11-02', Date.UTC(2026, 10, 2)],
    ['start=2026-11-02T10:00:00Z', Date.UTC(2026, 10, 2, 10)],
    ['start=2026-11-02T10:00:00.250%2B01:00', Date.UTC(2026, 10, 2, 9, 0, 0, 250)],
    [`start=${Date.UTC(2026, 10, 2)}`, Date.UTC(2026, 10, 2)],
  ])('time %j', (s, want) => expect(timeParam(q(s), 'start')).toEqual({ ok: true, value: want }));

  it.each(['start=yesterday', 'start=2026-13-45', 'start=2026/11/02'])('refuses the time %j', (s) => {
    expect(timeParam(q(s), 'start')).toMatchObject({ ok: false });
  });

  it.each([
    ['', { start: NOW - 30 * DAY, end: NOW }],
    ['end=2026-11-10', { start: Date.UTC(2026, 10, 10) - 30 * DAY, end: Date.UTC(2026, 10, 10) }],
    ['start=2026-11-01&end=2026-11-02', { start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 10, 2) }],
  ])('range %j', (s, want) => expect(rangeParams(q(s), NOW, 30, 400)).toEqual({ ok: true, value: want }));

  it.each([
    ['start=2026-11-02&end=2026-11-01', 'must be before'],
    ['start=2020-01-01&end=2026-01-01', 'more than 400 days'],
  ])('refuses the range %j', (s, message) => {
    const r = rangeParams(q(s), NOW, 30, 400);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('reads back the cursors it hands out, and refuses others', () => {
    expect(eventCursorParam(q(`next=${encodeCursor({ ms: 123, id: "m'1" })}`))).toEqual({ ok: true, value: { ms: 123, messageId: "m'1" } });
    expect(keyCursorParam(q(`next=${encodeCursor({ after: 'plan' })}`))).toEqual({ ok: true, value: 'plan' });
    for (const bad of ['garbage', encodeCursor({ ms: 'x', id: 1 }), encodeCursor([1])]) {
      expect(eventCursorParam(q(`next=${bad}`))).toMatchObject({ ok: false });
      expect(keyCursorParam(q(`next=${bad}`))).toMatchObject({ ok: false });
    }
    expect(eventCursorParam(q(''))).toEqual({ ok: true, value: null });
  });
});
