import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avroType, invalidPaths } from '../kit/avro.ts';
import { segmentCall } from '../../test/support/segment.ts';
import { LIMITS } from './limits.ts';
import { normaliseCall, type NormaliseOptions } from './normalise.ts';
import { TOUCHPOINT_TYPES } from './touchpoint.ts';
import { validateTouchpoint } from './validate.ts';

const RECEIVED = Date.parse('2026-03-01T12:00:10.000Z');
const opts: NormaliseOptions = { receivedAt: RECEIVED, channel: null, defaultSource: 'server', maxFutureMs: 24 * 3_600_000 };
const normalise = (raw: unknown, o: Partial<NormaliseOptions> = {}) => normaliseCall(raw, null, { ...opts, ...o });
const problemsOf = (raw: unknown, o: Partial<NormaliseOptions> = {}): string[] => {
  const n = normalise(raw, o);
  return n.ok ? [] : n.problems;
};
const nested = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};
const s = (n: number, c = 'x') => c.repeat(n);
const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

describe('limits at the edge: just within is accepted, just over is refused with the reason', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['messageId', { messageId: s(256) }, { messageId: s(257) }, 'messageId: 257 characters, over the 256-character limit'],
    ['userId', { userId: s(256) }, { userId: s(257) }, 'userId: 257 characters, over the 256-character limit for an identifier'],
    ['anonymousId', { anonymousId: s(256) }, { anonymousId: s(257) }, 'anonymousId: 257 characters'],
    ['traits.email', { type: 'identify', traits: { email: s(256) } }, { type: 'identify', traits: { email: s(257) } }, 'traits.email: 257 characters'],
    ['context.traits.phone', { context: { traits: { phone: s(256, '1') } } }, { context: { traits: { phone: s(257, '1') } } }, 'context.traits.phone: 257 characters'],
    ['context.device.id', { context: { device: { id: s(256) } } }, { context: { device: { id: s(257) } } }, 'context.device.id: 257 characters'],
    ['externalIds id', { externalIds: [{ type: 'crm_id', id: s(256) }] }, { externalIds: [{ type: 'crm_id', id: s(257) }] }, 'externalIds[0].id: 257 characters'],
    ['externalIds type', { externalIds: [{ type: s(64), id: '1' }] }, { externalIds: [{ type: s(65), id: '1' }] }, 'externalIds[0].type: 65 characters, over the 64-character limit'],
    ['externalIds count', { externalIds: Array.from({ length: 64 }, (_, i) => ({ type: 't', id: `${i}` })) },
      { externalIds: Array.from({ length: 65 }, (_, i) => ({ type: 't', id: `${i}` })) }, 'externalIds: 65 external ids, over the 64-id limit per call'],
    ['keys of properties', { properties: keys(1_000) }, { properties: keys(1_001) }, 'properties: 1001 keys, over the 1000-key limit'],
    ['key length', { properties: { [s(256)]: 1 } }, { properties: { [s(257)]: 1 } }, 'key of 257 characters, over the 256-character limit'],
    ['nesting', { properties: { p: nested(62) } }, { properties: { p: nested(63) } }, 'properties.p.a.a…: nested deeper than 64 levels'],
    ['event time from 2000-01-01', { timestamp: '2000-01-01T00:00:00Z' }, { timestamp: '1999-12-31T23:59:59.999Z' },
      'timestamp: event time 1999-12-31T23:59:59.999Z is outside 2000-01-01..2100-01-01'],
    // A device clock 30 years fast: both times it sent are in range, the event time corrected by its offset is not.
    ['event time after clock-skew correction', { timestamp: '2026-03-01T12:00:00Z', sentAt: '2026-03-01T12:00:05Z' },
      { timestamp: '2026-03-01T12:00:00Z', sentAt: '2056-03-01T12:00:05Z' }, 'timestamp: event time 1996-'],
  ])('%s', (_n, within, over, reason) => {
    expect(problemsOf(segmentCall(within))).toEqual([]);
    expect(problemsOf(segmentCall(over)).join('\n')).toContain(reason);
  });

  it('the worst clock-skew correction (year 0000 sent in year 9999) is refused', () => {
    expect(problemsOf(segmentCall({ timestamp: '0000-01-01T00:00:00Z', sentAt: '9999-12-31T23:59:59Z' })).join()).toMatch(/timestamp: event time -\d+-/);
  });

  it('epoch milliseconds outside the years 0000..9999 are refused: avsc would write -8.64e15 as +8.64e15', () => {
    expect(problemsOf(segmentCall({ sentAt: -8.64e15 }))).toEqual(['sentAt: -8640000000000000 is outside the years 0000..9999']);
    expect(problemsOf(segmentCall({ timestamp: 8.64e15 }))).toEqual(['timestamp: 8640000000000000 is outside the years 0000..9999']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a lone surrogate in userId', { userId: 'a\ud800' }, 'userId: contains a lone UTF-16 surrogate'],
    ['a lone surrogate in messageId', { messageId: 'm\udc00' }, 'messageId: contains a lone UTF-16 surrogate'],
    ['a lone surrogate in traits.email', { traits: { email: 'a\ud800@b.io' } }, 'traits.email: contains a lone UTF-16 surrogate'],
    ['a lone surrogate in context.device.id', { context: { device: { id: 'd\udbff' } } }, 'context.device.id: contains a lone UTF-16 surrogate'],
    ['a lone surrogate in a property key', { properties: { 'k\ud800': 1 } }, 'key contains a lone UTF-16 surrogate'],
    ['a control character in an externalIds type', { externalIds: [{ type: 'crm\u0000id', id: '1' }] }, 'externalIds[0].type: contains a control character'],
    ['__proto__ as a trait name', { type: 'identify', traits: JSON.parse('{"__proto__":{"email":"victim@example.com"}}') }, 'traits.__proto__: key "__proto__" is not allowed'],
    ['__proto__ as a property name', { properties: JSON.parse('{"__proto__":null}') }, 'properties.__proto__: key "__proto__" is not allowed'],
    ['an integer rounded by JSON parsing as userId', { userId: Number('12345678901234567891') }, 'userId: 12345678901234567000 is a number beyond'],
    ['an integer rounded by JSON parsing as a property', { properties: { n: 2 ** 64 } }, 'properties.n: 18446744073709552000 is a number beyond'],
  ])('%s is refused', (_n, fields, reason) => {
    expect(problemsOf(segmentCall(fields)).join('\n')).toContain(reason);
  });

  it('a lone surrogate in descriptive text becomes U+FFFD, as UTF-8 would make it anyway', () => {
    const n = normalise(segmentCall({ context: { page: { title: 'Caf\ud83d' } }, properties: { label: '\udc00x' } }));
    expect(n.ok && [n.touchpoint.context?.page?.title, n.touchpoint.properties.label]).toEqual(['Caf\uFFFD', '\uFFFDx']);
  });

  it('a number with a string\'s digits is an identifier like any (numeric user ids)', () => {
    const n = normalise(segmentCall({ userId: '12345678901234567891', properties: { big: '98765432109876543210' } }));
    expect(n.ok && [n.touchpoint.userId, n.touchpoint.properties.big]).toEqual(['12345678901234567891', '98765432109876543210']);
  });
});

describe('prototype keys are data', () => {
  it('constructor, prototype, toString as trait names are ordinary traits', () => {
    const n = normalise(segmentCall({ type: 'identify', traits: { constructor: 'c', prototype: 'p', toString: 't', hasOwnProperty: 'h' } }));
    expect(n.ok).toBe(true);
    if (n.ok) {
      expect(Object.getPrototypeOf(n.touchpoint.traits)).toBe(Object.prototype);
      expect(Object.keys(n.touchpoint.traits).sort()).toEqual(['constructor', 'hasOwnProperty', 'prototype', 'toString']);
    }
  });

  it('a field the call does not hold is not found on Object.prototype', () => {
    // "constructor" is no field of a call; neither it nor a "__proto__" field can lend the call a userId.
    const call = JSON.parse('{"type":"track","event":"e","__proto__":{"userId":"victim"}}');
    expect(problemsOf(call)).toEqual(['userId: missing: every call needs a userId or an anonymousId']);
  });

  it('a "__proto__" field is part of the content a derived messageId is computed from', () => {
    const id = (text: string) => {
      const n = normalise(JSON.parse(text));
      if (!n.ok) throw new Error(n.problems.join('; '));
      return n.touchpoint.messageId;
    };
    const base = '"type":"track","event":"e","anonymousId":"a","timestamp":"2026-03-01T12:00:00Z"';
    expect(id(`{${base},"__proto__":{"x":1}}`)).not.toBe(id(`{${base},"__proto__":{"x":2}}`));
  });

  it('externalIds typed constructor or __proto__ are carried as they are', () => {
    const n = normalise(segmentCall({ externalIds: [{ type: 'constructor', id: 'c1' }, { type: '__proto__', id: 'p1' }] }));
    expect(n.ok && n.touchpoint.externalIds.map((x) => x.type)).toEqual(['constructor', '__proto__']);
  });
});

describe('the contract between the edge and the resolver', () => {
  // Values around every limit, and of every wrong type.
  const idValue = fc.oneof(
    { arbitrary: fc.constantFrom('u1', 'a@b.io', '+14155550100', '0', 'd-1'), weight: 12 },
    fc.constant(undefined), fc.constant(null), fc.constantFrom('', '  '),
    fc.integer({ min: 250, max: 260 }).map((n) => s(n)), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 }),
    fc.constantFrom('a\ud800', '\udfff'), fc.integer(), fc.double(), fc.constantFrom(2 ** 64, Infinity), fc.constantFrom({}, [], true),
  );
  const time = fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 4 }, fc.constant(null),
    fc.date({ min: new Date('1960-01-01T00:00:00Z'), max: new Date('2140-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('1999-12-31T23:59:59.999Z', '2000-01-01T00:00:00Z', '2099-12-31T23:59:59.999Z', '2100-01-01T00:00:00Z', 'yesterday'),
    fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.constantFrom(-8.64e15, 8.64e15, 946684800000, 4102444800000),
  );
  const text = fc.oneof({ arbitrary: fc.constantFrom('Order Completed', 'Home'), weight: 4 }, fc.constant(undefined), fc.constantFrom('', ' '), fc.string({ maxLength: 6 }), fc.integer());
  const scalarsOf = fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom('email', 'phone', 'plan', 'constructor', '__proto__'), idValue, { maxKeys: 4 }));
  const call = fc.record({
    type: fc.oneof({ arbitrary: fc.constantFrom(...TOUCHPOINT_TYPES), weight: 8 }, fc.constantFrom('purchase', undefined)),
    messageId: fc.oneof(idValue, fc.integer({ min: 250, max: 260 }).map((n) => s(n, 'm'))),
    userId: idValue, anonymousId: idValue, previousId: idValue, groupId: idValue, event: text, name: text,
    timestamp: time, sentAt: time, traits: scalarsOf, properties: scalarsOf,
    context: fc.oneof(fc.constant(undefined), fc.record({
      traits: scalarsOf, device: fc.oneof(fc.constant(undefined), fc.record({ id: idValue, advertisingId: idValue }, { requiredKeys: [] })),
      library: fc.constantFrom(undefined, { name: 'analytics.js' }, { name: 'analytics-ios' }),
    }, { requiredKeys: [] })),
    externalIds: fc.oneof(fc.constant(undefined), fc.array(fc.record({ type: idValue, id: idValue }), { maxLength: 3 })),
  }, { requiredKeys: [] });
  const options = fc.record({
    receivedAt: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) - 1 }),
    channel: fc.constantFrom(null, 'web'),
    maxFutureMs: fc.constantFrom(0, 3_600_000, 86_400_000),
    acceptOtherIdentifiers: fc.boolean(),
    batchSentAt: time,
  });

  it('every touchpoint the normaliser accepts passes validateTouchpoint and the Avro schema', () => {
    const touchpoint = avroType('touchpoint');
    let accepted = 0;
    fc.assert(fc.property(call, options, (raw, o) => {
      const n = normaliseCall(raw, null, { ...opts, ...o });
      if (!n.ok) {
        expect(n.problems.length).toBeGreaterThan(0);
        return;
      }
      accepted += 1;
      expect(validateTouchpoint(n.touchpoint)).toEqual({ ok: true });
      expect(invalidPaths(touchpoint, n.touchpoint)).toEqual([]);
    }), { numRuns: 2_000 });
    // The property says something only if the normaliser accepted a share of the calls: about 120 of 2,000
    // (measured over seeds, spread ±6), so this floor fails only for a generator that stopped producing valid calls.
    expect(accepted).toBeGreaterThan(50);
  });

  it('the limits module is the one the resolver validates with', () => {
    const n = normalise(segmentCall());
    if (!n.ok) throw new Error(n.problems.join('; '));
    expect(validateTouchpoint({ ...n.touchpoint, messageId: s(LIMITS.messageIdLength + 1) }))
      .toMatchObject({ ok: false, reason: expect.stringContaining(`over the ${LIMITS.messageIdLength}-character limit`) });
    expect(problemsOf(segmentCall({ messageId: s(LIMITS.messageIdLength + 1) })).join()).toContain(`over the ${LIMITS.messageIdLength}-character limit`);
  });
});

describe('docs/collector.md', () => {
  it('lists every limit with its value', () => {
    const doc = readFileSync(new URL('../../docs/collector.md', import.meta.url), 'utf8');
    for (const row of [
      `| call size | 32 KB (${LIMITS.callBytes.toLocaleString('en')} bytes)`, `| batch request size | 500 KB (${LIMITS.batchBytes.toLocaleString('en')} bytes)`,
      `| nesting depth | ${LIMITS.depth} levels`, `at most ${LIMITS.batchContextBytes / 1024} KB (${LIMITS.batchContextBytes.toLocaleString('en')} bytes)`,
      `| \`messageId\` | 1–${LIMITS.messageIdLength} characters`, '| 2000-01-01T00:00:00Z ≤ t < 2100-01-01T00:00:00Z |',
      `| at most ${LIMITS.identifierLength} characters as sent`, `| at most ${LIMITS.identifierTypeLength} characters, no control character`,
      `| at most ${LIMITS.externalIds} per call`, `| at most ${LIMITS.mapKeys.toLocaleString('en')} keys per map, each at most ${LIMITS.keyLength} characters`,
    ]) expect(doc).toContain(row);
    expect([LIMITS.minTimestamp, LIMITS.maxTimestamp].map((t) => new Date(t).toISOString())).toEqual(['2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z']);
  });
});
