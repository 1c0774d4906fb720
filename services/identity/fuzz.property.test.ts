// Fuzzing the core's per-event path: any touchpoint a client can send → extractIdentifiers → IdentityGraph.apply.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { context, device, touchpoint } from '../../test/support/builders.ts';
import type { Scalar, Touchpoint } from '../contract/touchpoint.ts';
import { blockReason } from './blocklist.ts';
import { IdentityGraph } from './graph.ts';
import { extractIdentifiers } from './identifiers.ts';
import { normaliseIdentifier, normaliseType } from './normalise.ts';
import { phoneRegion } from './phone.ts';
import { resolve } from './resolve.ts';
import { defaultIdentityConfig, parseIdentityConfig, type IdentityConfig } from './rules.ts';
import type { Claim } from './types.ts';

const protoKeys = ['constructor', '__proto__', 'CONSTRUCTOR', ' __Proto__ ', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
const invisible = ['\u200b', '\u200c', '\u200d', '\ufeff', '\u2060', '\u00ad', '\u0000', '\n'];

/** Text a client can send: prototype keys, placeholders, emails and phones real and broken, any UTF-16 (lone surrogates too). */
const text: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...protoKeys, '', ' ', 'null', 'unknown', '0', 'test@test.com', 'Jürgen.Müller@Bücher.de', 'jürgen.müller@xn--bcher-kva.de',
    'ana@acme.io', ' ANA@Acme.io ', '+44 7911 123456', '07911 123456', '(415) 555-2671', '\ud800', 'a\udfffb', 'x@\ud800.com', '00000000-0000-0000-0000-000000000000'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 8 }),
  fc.tuple(fc.constantFrom('ana', 'u1', 'crm-7', 'a1@x.io'), fc.constantFrom(...invisible), fc.constantFrom('', '@acme.io', 'x')).map(([a, b, c]) => a + b + c),
  fc.tuple(fc.constantFrom('x', '\u{1f600}', 'ü', '\ud800'), fc.integer({ min: 200, max: 5000 })).map(([s, n]) => s.repeat(n)),
);
/** Trait values are scalars: numbers beyond 2^53, NaN, infinities and booleans too. */
const scalar: fc.Arbitrary<Scalar> = fc.oneof(text, fc.constant(null), fc.boolean(), fc.double(), fc.constantFrom(2 ** 53 + 1, 1e21, -0, 4155552671, 447911123456),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map(Number));

const tp: fc.Arbitrary<Touchpoint> = fc.record({
  type: fc.constantFrom('track', 'identify', 'alias') as fc.Arbitrary<Touchpoint['type']>,
  userId: fc.option(text), anonymousId: fc.option(text), previousId: fc.option(text),
  email: scalar, phone: scalar, ctxEmail: scalar, ctxPhone: scalar, deviceId: fc.option(text), adId: fc.option(text),
  country: fc.option(fc.oneof(text, fc.constantFrom('United Kingdom', 'gbr', 'GB', 'France', 'Atlantis'))),
  externalIds: fc.array(fc.record({ type: fc.oneof(fc.constantFrom(...protoKeys, 'crm_id', 'CRM_ID', ''), text), id: text }), { maxLength: 4 }),
  time: fc.integer({ min: 0, max: 20 }),
  adConsent: fc.option(fc.boolean()),
}).map((r) => touchpoint({
  consent: r.adConsent === null ? null : { advertising: r.adConsent, analytics: true, personalisation: true, categories: {} },
  type: r.type, userId: r.userId, anonymousId: r.anonymousId, previousId: r.previousId, timestamp: r.time,
  traits: { ...(r.email !== null ? { email: r.email } : {}), ...(r.phone !== null ? { phone: r.phone } : {}) },
  context: context({
    traits: { ...(r.ctxEmail !== null ? { email: r.ctxEmail } : {}), ...(r.ctxPhone !== null ? { phone: r.ctxPhone } : {}) },
    device: device({ id: r.deviceId, advertisingId: r.adId }),
    location: r.country === null ? null : { country: r.country, region: null, city: null },
  }),
  externalIds: r.externalIds.map((e) => ({ ...e, collection: null })),
}));

/** The raw (type, value) pairs of a touchpoint, read independently of extraction: what must be accounted for. */
function raws(t: Touchpoint, config: IdentityConfig): Array<[string, string]> {
  const s = (v: Scalar | undefined): string | null => (v === undefined || v === null ? null : String(v));
  const pairs: Array<[string, string | null]> = [
    ['user_id', t.userId], ['anonymous_id', t.anonymousId], ...(t.type === 'alias' ? [[config.previousIdType, t.previousId] as [string, string | null]] : []),
    ['email', s(t.traits.email)], ['email', s(t.context?.traits.email)], ['phone', s(t.traits.phone)], ['phone', s(t.context?.traits.phone)],
    ['device_id', t.context?.device?.id ?? null], ['advertising_id', t.context?.device?.advertisingId ?? null],
    ...t.externalIds.map((e) => [e.type, e.id] as [string, string]),
  ];
  return pairs.filter((p): p is [string, string] => p[1] !== null);
}

const small = (() => {
  const p = parseIdentityConfig({ rules: { email: { limit: 2 }, constructor: { limit: 1 } }, hubBound: 3, blocked: { crm_id: ['x'] } });
  if (!p.ok) throw new Error(p.errors.join('; '));
  return p.config;
})();

describe.each([['default rules', defaultIdentityConfig], ['small limits and hub bound', small]])('fuzzing the per-event path (%s)', (_name, config) => {
  it('extraction never throws and accounts for every raw identifier: extracted, or dropped with a code and a reason', () => {
    fc.assert(fc.property(tp, (t) => {
      const x = extractIdentifiers(t, config);
      const hint = { phoneRegion: phoneRegion(t.context?.location?.country, config.defaultRegion) };
      const all = raws(t, config);
      expect(x.dropped.length).toBeLessThanOrEqual(all.length);
      for (const d of x.dropped) {
        expect(['BLOCKED', 'INVALID', 'TOO_LONG', 'NO_CONSENT']).toContain(d.code);
        expect(d.reason.length).toBeGreaterThan(0);
      }
      for (const [rawType, raw] of all) {
        const type = normaliseType(rawType);
        if (!type.ok) {
          expect(x.dropped.some((d) => d.code === 'INVALID' && d.reason === type.reason)).toBe(true);
          continue;
        }
        if (config.consentGated.has(type.value) && t.consent?.[config.consentGated.get(type.value)!] !== true) {
          // Withheld for want of consent: dropped before normalisation, its value not carried.
          expect(x.dropped).toContainEqual(expect.objectContaining({ type: type.value, code: 'NO_CONSENT', raw: '' }));
          expect(x.identifiers.some((i) => i.type === type.value)).toBe(false);
          continue;
        }
        const n = normaliseIdentifier(type.value, raw, config, hint);
        if (n.ok) expect(x.identifiers).toContainEqual(n.identifier);
        else expect(x.dropped).toContainEqual(n.dropped);
        if (!n.ok && n.blocked !== undefined) expect(x.blocked).toContainEqual(n.blocked);
      }
      for (const id of x.identifiers) {
        expect(id.value.length).toBeGreaterThan(0);
        expect(id.value.length).toBeLessThanOrEqual(config.maxValueLength);
        expect(id.value).toBe(id.value.normalize('NFC'));
        expect(id.value).not.toMatch(/\p{Cc}|\p{Cs}|\p{Default_Ignorable_Code_Point}/u);
        expect(normaliseIdentifier(id.type, id.value, config)).toEqual({ ok: true, identifier: id }); // idempotent
      }
      for (const b of x.blocked ?? []) expect(blockReason(b.type, b.value, config)).not.toBeNull();
    }), { numRuns: 400 });
  });

  it('applying the extracted claims never throws, equals resolve() after every step, and restores from its changelog', () => {
    fc.assert(fc.property(fc.array(tp, { minLength: 1, maxLength: 12 }), (tps) => {
      const g = new IdentityGraph(config);
      const claims: Claim[] = [];
      const log = [];
      for (const t of tps) {
        const x = extractIdentifiers(t, config);
        const c: Claim = { messageId: t.messageId, eventTime: t.timestamp, identifiers: x.identifiers, blocked: x.blocked ?? [] };
        claims.push(c);
        log.push(...g.apply(c).changelog);
        expect(g.profiles()).toEqual(resolve(claims, config));
      }
      expect(IdentityGraph.restore(log, config).profiles()).toEqual(g.profiles());
      const first = claims.find((c) => c.identifiers.length > 0)?.identifiers[0];
      if (first !== undefined) {
        const r = g.forget(first);
        expect(r.ok).toBe(true);
        expect(g.profileOf(first)).toBeNull();
      }
    }), { numRuns: 150 });
  });
});
