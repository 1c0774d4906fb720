import { describe, expect, it } from 'vitest';
import { authorise, parseWriteKeys, writeKeyFromBody, writeKeyFromHeader } from './auth.ts';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('parseWriteKeys', () => {
  it.each([
    ['key1:web,key2:server', [['key1', 'web'], ['key2', 'server']]],
    [' k1 : crm , k2 ', [['k1', 'crm'], ['k2', null]]],
    ['k:with:colon:ios', [['k:with:colon', 'ios']]],
  ])('%j', (spec, expected) => {
    const r = parseWriteKeys(spec);
    expect(r.ok && [...r.keys]).toEqual(expected);
  });
  it.each([
    ['', 'no write key configured'],
    ['k1:Web', 'must be lower-case'],
    ['k1:web,k1:ios', 'listed twice'],
    [':web', 'empty write key'],
  ])('rejects %j', (spec, problem) => {
    const r = parseWriteKeys(spec);
    expect(r.ok ? '' : r.problem).toContain(problem);
  });
});

describe('writeKeyFromHeader', () => {
  it.each<[string | undefined, string | null]>([
    [basic('wk_123:'), 'wk_123'],
    [basic('wk_123'), 'wk_123'],
    [basic('wk_123:ignored-password'), 'wk_123'],
    [`basic ${Buffer.from('lower:').toString('base64')}`, 'lower'],
    [basic(':'), null],
    ['Bearer abc', null],
    ['Basic !!!', null],
    [undefined, null],
  ])('%j → %j', (header, key) => expect(writeKeyFromHeader(header)).toBe(key));
});

describe('authorise', () => {
  const keys = new Map([['k-web', 'web'], ['k-any', null]]);
  it.each<[string | null, unknown, { ok: boolean; channel?: string | null; message?: string }]>([
    ['k-web', {}, { ok: true, channel: 'web' }],
    [null, { writeKey: 'k-any' }, { ok: true, channel: null }],
    ['k-web', { writeKey: 'other' }, { ok: true, channel: 'web' }],
    [null, {}, { ok: false, message: 'missing write key: send it as the HTTP basic auth user name' }],
    ['nope-nope', {}, { ok: false, message: 'unknown write key "nope…"' }],
  ])('header %j body %j', (header, body, e) => {
    const a = authorise(keys, header, writeKeyFromBody(body));
    expect(a.ok).toBe(e.ok);
    if (a.ok) expect(a.channel).toBe(e.channel);
    else expect(a.message).toContain(e.message);
  });
});

describe('writeKeyFromBody', () => {
  it('reads the body\'s own writeKey, not one lent by a "__proto__" field', () => {
    expect(writeKeyFromBody({ writeKey: 'wk' })).toBe('wk');
    expect(writeKeyFromBody(JSON.parse('{"__proto__":{"writeKey":"wk"}}'))).toBeNull();
  });
});
