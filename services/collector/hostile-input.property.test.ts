// Fuzz: arbitrary hostile JSON through every pure stage a call meets, from the collector's body parser to the graph.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultIdentityConfig, extractIdentifiers, IdentityGraph } from '../identity/index.ts';
import { avroType, invalidPaths } from '../kit/avro.ts';
import { cutDeep } from '../contract/json-shape.ts';
import { LIMITS } from '../contract/limits.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { validateTouchpoint } from '../contract/validate.ts';
import { parseBody } from './json-body.ts';
import { planRequest, ROUTES, successBody } from './request.ts';

// ---- JSON texts built as text, so that they can hold what JSON.stringify cannot write: 100,000 levels, digits
// beyond 2^53, duplicate keys.

const KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', 'type', 'messageId', 'userId',
  'anonymousId', 'previousId', 'groupId', 'event', 'name', 'timestamp', 'sentAt', 'traits', 'properties', 'context',
  'externalIds', 'email', 'phone', 'id', 'device', 'advertisingId', 'library', 'batch', 'writeKey', 'category',
];
const str = (s: string) => JSON.stringify(s);
const hostileString = fc.oneof(
  fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '😀', '\u{10FFFF}', '\u2028', 'é', '"', '\\'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 12 }),
  fc.constantFrom('', ' ', 'u1', 'a@b.io', '+14155550100', 'crm_id', '2026-03-01T12:00:00Z', '1999-01-01', ...KEYS.slice(7)),
  fc.integer({ min: 250, max: 300 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom('y'.repeat(40_000), '\ud83d'.repeat(300)),
).map(str);
const numberText = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.bigInt({ min: -(2n ** 90n), max: 2n ** 90n }).map(String),
  fc.constantFrom('1e400', '-1e400', '9007199254740993', '12345678901234567891', '1767225600000', '1E2', '-0', '0.1', '-8640000000000000', '8640000000000000'),
);
const deepText = fc.tuple(fc.constantFrom(63, 64, 65, 66, 200, 5_000, 100_000), fc.boolean())
  .map(([n, arrays]) => (arrays ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`));
const key = fc.oneof({ arbitrary: fc.constantFrom(...KEYS), weight: 4 }, fc.string({ maxLength: 6 }), hostileString.map((s) => JSON.parse(s) as string));

const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString, numberText, fc.constantFrom('true', 'false', 'null'),
    { arbitrary: deepText, weight: 1 },
    fc.array(tie('v'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
    fc.array(fc.tuple(key, tie('v')), { maxLength: 5 }).map((es) => `{${es.map(([k, v]) => `${str(k)}:${v}`).join(',')}}`),
  ),
})).v;

/**
 * A call: Segment's fields, each usually valid, sometimes at or over a limit (edge), rarely anything at all, plus
 * stray keys: enough calls are accepted for the stages after the normaliser to be driven too.
 */
const FIELDS: Record<string, [fc.Arbitrary<string>, fc.Arbitrary<string>]> = {
  type: [fc.constantFrom('identify', 'track', 'page', 'screen', 'alias', 'group').map(str), fc.constantFrom('"purchase"', '1')],
  messageId: [fc.uuid().map(str), fc.oneof(fc.integer({ min: 250, max: 260 }).map((n) => str('m'.repeat(n))), fc.constant(str('m'.repeat(10_000))))],
  userId: [fc.constantFrom('u1', 'u2', 'x@y.io', 'constructor').map(str), fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map(String)],
  anonymousId: [fc.uuid().map(str), fc.constantFrom('"a\ud800"', str('a'.repeat(257)))],
  previousId: [fc.constantFrom('a1', 'a2').map(str), fc.constantFrom('12345678901234567891', '""')],
  groupId: [fc.constant(str('acme')), fc.constantFrom('{}', '" "')],
  event: [fc.constant(str('Order Completed')), fc.constantFrom('"\u0000"', '""')],
  timestamp: [fc.constant(str('2026-03-01T12:00:00Z')), fc.constantFrom('1999-12-31T23:59:59Z', '2100-01-01T00:00:00Z', '-8640000000000000').map(str)],
  sentAt: [fc.constant(str('2026-03-01T12:00:05Z')), fc.constantFrom('"2056-03-01T12:00:05Z"', '8640000000000000')],
  traits: [fc.constantFrom('{"email":"Ann@Example.com"}', '{"constructor":"c","phone":"+14155550100","prototype":{"a":[1]}}'),
    fc.constantFrom('{"__proto__":{"email":"v@x.io"}}', '{"email":12345678901234567891}', '{"phone":"\udc00"}')],
  properties: [fc.constantFrom('{"revenue":12.5}', '{"n":98765432109876543210}', '{"toString":"t","valueOf":null,"\u0000":"\ud800"}'), fc.constantFrom('{"__proto__":1}', '[]')],
  context: [fc.constantFrom('{"device":{"id":"d-1"}}', '{"traits":{"email":"a@b.io"},"library":{"name":"analytics.js"}}', '{"externalIds":[{"type":"constructor","id":"c-1"}]}'),
    fc.constantFrom('{"externalIds":[{"type":"__proto__","id":"p-1"}]}', '{"device":{"id":12345678901234567891}}', '{"traits":{"__proto__":null}}')],
  externalIds: [fc.constantFrom('[{"type":"crm_id","id":12345678901234567891}]', '[{"type":"prototype","id":"x"}]', '[{"type":"constructor","id":"c-1"}]', '[{"type":"__proto__","id":"p-1"}]'),
    fc.constantFrom('[{"type":"crm\u0000id","id":"1"}]', '{"crm_id":"1"}')],
};
const callText = fc.tuple(
  fc.record(Object.fromEntries(Object.entries(FIELDS).map(([k, [valid, edge]]) => [k, fc.oneof({ arbitrary: valid, weight: 30 }, { arbitrary: edge, weight: 1 }, { arbitrary: value, weight: 1 })])),
    { requiredKeys: ['type', 'anonymousId', 'event', 'timestamp'] }),
  fc.array(fc.tuple(key, value), { maxLength: 2 }),
).map(([fields, extra]) => `{${[...Object.entries(fields), ...extra].map(([k, v]) => `${str(k)}:${v}`).join(',')}}`);

const body = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...[...ROUTES.keys()].filter((p) => ROUTES.get(p)!.kind === 'call')), callText), weight: 2 },
  { arbitrary: fc.tuple(fc.constant('/v1/batch'), fc.tuple(fc.array(fc.oneof({ arbitrary: callText, weight: 4 }, value), { maxLength: 5 }), fc.option(value), fc.option(value))
    .map(([calls, context, sentAt]) => `{"batch":[${calls.join(',')}]${context === null ? '' : `,"context":${context}`}${sentAt === null ? '' : `,"sentAt":${sentAt}`}}`)), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom('/v1/track', '/v1/batch'), value), weight: 1 },
);

// ---- The stages.

const RECEIVED = Date.parse('2026-03-01T12:00:10Z');
/** TESSERA_FUZZ_RUNS=20000 for a longer soak than the suite's. */
const RUNS = Number(process.env.TESSERA_FUZZ_RUNS ?? 400);
const touchpointType = avroType('touchpoint');

interface Outcome { accepted: Touchpoint[]; refusedWithReasons: number; answered: string }

/** The collector's pure path for one request, with the checks its HTTP adapter relies on. */
function collect(path: string, text: string): Outcome {
  const route = ROUTES.get(path)!;
  const parsed = parseBody(text);
  if (!parsed.ok) return { accepted: [], refusedWithReasons: 0, answered: parsed.message };
  const plan = planRequest(route, parsed.value, Buffer.byteLength(text), {
    receivedAt: RECEIVED, channel: null, defaultSource: 'server', maxFutureMs: 86_400_000, ip: '203.0.113.7', scope: 'wk',
  });
  for (const r of plan.refused) {
    expect(r.problems.length).toBeGreaterThan(0);
    // "path: what is wrong" (a path may hold any character, U+2028 included).
    for (const p of r.problems) expect(p.indexOf(': ')).toBeGreaterThan(0);
    // What the DLQ record would hold, whatever the call's depth.
    expect(() => JSON.stringify(cutDeep(r.original, LIMITS.depth))).not.toThrow();
  }
  if (!plan.ok) {
    expect(plan.answer.status).toBeGreaterThanOrEqual(400);
    expect(plan.answer.status).toBeLessThan(500);
    expect(plan.answer.message.length).toBeGreaterThan(0);
    return { accepted: [], refusedWithReasons: plan.refused.length, answered: JSON.stringify({ success: false, ...plan.answer }) };
  }
  return { accepted: plan.accepted, refusedWithReasons: plan.refused.length, answered: JSON.stringify(successBody(plan.accepted.length, plan.refused)) };
}

describe('hostile input (fuzz): every request is accepted or refused with a reason, and nothing throws', () => {
  it('collector parsing → planRequest → normaliseCall → validateTouchpoint → Avro', () => {
    let accepted = 0;
    fc.assert(fc.property(body, ([path, text]) => {
      const out = collect(path, text);
      expect(out.answered.length).toBeGreaterThan(0);
      for (const t of out.accepted) {
        accepted += 1;
        expect(validateTouchpoint(t)).toEqual({ ok: true });
        expect(invalidPaths(touchpointType, t)).toEqual([]);
        // What the resolver decodes is what the collector meant (a call without consent decodes with the schema's null).
        expect(touchpointType.fromBuffer(touchpointType.toBuffer(t))).toEqual({ consent: null, ...t });
      }
    }), { numRuns: RUNS });
    // About 50 of 400 bodies have an accepted call (measured over seeds, spread ±8): a floor far below, so that a
    // generator that stopped producing valid calls fails here, and a seed never does.
    expect(accepted).toBeGreaterThan(15);
  }, 300_000);

  it('… → extractIdentifiers → IdentityGraph.apply', () => {
    const graph = new IdentityGraph(defaultIdentityConfig);
    fc.assert(fc.property(body, ([path, text]) => {
      for (const t of collect(path, text).accepted) {
        const extraction = extractIdentifiers(t, defaultIdentityConfig);
        for (const d of extraction.dropped) expect(d.reason.length).toBeGreaterThan(0);
        if (extraction.identifiers.length > 0) graph.apply({ messageId: t.messageId, eventTime: t.timestamp, identifiers: extraction.identifiers });
      }
    }), { numRuns: RUNS });
  }, 300_000);
});
