import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consentOf, CONSENT_UPDATED_EVENT, DEFAULT_CONSENT_CATEGORIES, parseConsentCategories, PURPOSES, readConsent } from './consent.ts';
import { Problems } from './fields.ts';
import { normaliseCall, type NormaliseOptions } from './normalise.ts';

const read = (ctx: unknown) => {
  const p = new Problems();
  const consent = readConsent(ctx as Record<string, unknown> | null, DEFAULT_CONSENT_CATEGORIES, p);
  return { consent, problems: p.list };
};
const prefs = (categoryPreferences: unknown) => ({ consent: { categoryPreferences } });

describe('readConsent (Segment context.consent.categoryPreferences)', () => {
  it.each([
    ['no context', null, null],
    ['no consent object', {}, null],
    ['an empty consent object says nothing', { consent: {} }, null],
    ['consent null', { consent: null }, null],
    ['all granted', prefs({ Advertising: true, Analytics: true, Personalization: true, Functional: true }),
      { advertising: true, analytics: true, personalisation: true, categories: { Advertising: true, Analytics: true, Functional: true, Personalization: true } }],
    ['advertising refused', prefs({ Advertising: false, Analytics: true, Personalization: true }),
      { advertising: false, analytics: true, personalisation: true, categories: { Advertising: false, Analytics: true, Personalization: true } }],
    ['a missing category is not granted', prefs({ Analytics: true }), { advertising: false, analytics: true, personalisation: false, categories: { Analytics: true } }],
    ['empty preferences grant nothing', prefs({}), { advertising: false, analytics: false, personalisation: false, categories: {} }],
  ])('%s', (_name, ctx, consent) => {
    expect(read(ctx)).toEqual({ consent, problems: [] });
  });

  it.each([
    ['consent not an object', { consent: 'yes' }, 'context.consent: expected an object {categoryPreferences: {…}}, got string'],
    ['preferences not an object', prefs([true]), 'context.consent.categoryPreferences: expected an object of category → true/false, got array'],
    ['a value that is not a boolean', prefs({ Advertising: 'yes' }), 'context.consent.categoryPreferences.Advertising: expected true or false, got "yes"'],
    ['a number', prefs({ Analytics: 1 }), 'context.consent.categoryPreferences.Analytics: expected true or false, got number'],
    ['an unknown category', prefs({ Marketing: true }), 'context.consent.categoryPreferences.Marketing: unknown consent category; the known ones are Advertising, Analytics, Personalization, Functional, DataSharing (TESSERA_CONSENT_CATEGORIES)'],
    ['__proto__ is no category', { consent: { categoryPreferences: JSON.parse('{"__proto__": true}') } }, 'context.consent.categoryPreferences.__proto__: unknown consent category'],
  ])('%s → a problem, no consent', (_name, ctx, problem) => {
    const r = read(ctx);
    expect(r.consent).toBeNull();
    expect(r.problems).toEqual([expect.stringContaining(problem)]);
  });

  it('a purpose covered by several categories needs every one of them', () => {
    const cats = { Ads: ['advertising'], Marketing: ['advertising', 'personalisation'] } as const;
    expect(consentOf({ Ads: true }, cats).advertising).toBe(false);
    expect(consentOf({ Ads: true, Marketing: true }, cats)).toMatchObject({ advertising: true, personalisation: true, analytics: false });
  });

  it('grants a purpose only when every category covering it is true (property)', () => {
    const cats = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }).filter((s) => s !== '__proto__'), fc.subarray([...PURPOSES]));
    fc.assert(fc.property(cats, fc.dictionary(fc.string({ maxLength: 6 }), fc.boolean()), (categories, answers) => {
      const given = Object.fromEntries(Object.entries(answers).filter(([c]) => Object.hasOwn(categories, c)));
      const c = consentOf(given, categories);
      for (const purpose of PURPOSES) {
        const covering = Object.keys(categories).filter((k) => categories[k]!.includes(purpose));
        expect(c[purpose]).toBe(covering.length > 0 && covering.every((k) => given[k] === true));
      }
      // Withdrawing any category never grants more.
      for (const k of Object.keys(given)) {
        const less = consentOf({ ...given, [k]: false }, categories);
        for (const purpose of PURPOSES) if (less[purpose]) expect(c[purpose]).toBe(true);
      }
    }));
  });
});

describe('parseConsentCategories (TESSERA_CONSENT_CATEGORIES)', () => {
  it('reads category → purposes', () => {
    expect(parseConsentCategories('{"C0004": ["advertising"], "C0002": ["analytics"], "C0001": []}'))
      .toEqual({ ok: true, categories: { C0004: ['advertising'], C0002: ['analytics'], C0001: [] } });
  });
  it.each([
    ['not json', 'not JSON'],
    ['[]', 'expected a JSON object'],
    ['{"Ads": "advertising"}', 'Ads: expected a list of purposes'],
    ['{"Ads": ["marketing"]}', 'Ads: expected a list of purposes'],
    ['{"": []}', 'cannot be a category id'],
  ])('%s is refused: %s', (text, problem) => {
    const r = parseConsentCategories(text);
    expect(r.ok ? '' : r.problem).toContain(problem);
  });
});

describe('normaliseCall with consent', () => {
  const opts: NormaliseOptions = { receivedAt: Date.UTC(2026, 0, 1), channel: null, defaultSource: 'server', maxFutureMs: 86_400_000 };
  const call = (extra: Record<string, unknown>) => ({ anonymousId: 'a1', event: 'Viewed', messageId: 'm1', timestamp: '2026-01-01T00:00:00Z', ...extra });

  it('carries the consent on the touchpoint, and leaves a call without it as it was', () => {
    const withConsent = normaliseCall(call({ context: prefs({ Advertising: false, Analytics: true }) }), 'track', opts);
    expect(withConsent.ok && withConsent.touchpoint.consent).toEqual({ advertising: false, analytics: true, personalisation: false, categories: { Advertising: false, Analytics: true } });
    const without = normaliseCall(call({}), 'track', opts);
    expect(without.ok && 'consent' in without.touchpoint).toBe(false);
  });

  it.each([
    ['a malformed value', call({ context: prefs({ Advertising: 'no' }) }), 'context.consent.categoryPreferences.Advertising: expected true or false'],
    ['an unknown category', call({ context: prefs({ Tracking: true }) }), 'context.consent.categoryPreferences.Tracking: unknown consent category'],
    ['a consent update without preferences', call({ event: CONSENT_UPDATED_EVENT }), `context.consent.categoryPreferences: missing: a "${CONSENT_UPDATED_EVENT}" call`],
    ['a consent update with an empty consent object', call({ event: CONSENT_UPDATED_EVENT, context: { consent: {} } }), 'context.consent.categoryPreferences: missing'],
  ])('%s is refused with the field and the reason', (_name, raw, problem) => {
    const r = normaliseCall(raw, 'track', opts);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toEqual([expect.stringContaining(problem)]);
  });

  it('a consent update with preferences is an ordinary track call carrying them', () => {
    const r = normaliseCall(call({ event: CONSENT_UPDATED_EVENT, context: prefs({ Advertising: true, Analytics: true, Personalization: false }) }), 'track', opts);
    expect(r.ok && r.touchpoint).toMatchObject({ event: CONSENT_UPDATED_EVENT, consent: { advertising: true, analytics: true, personalisation: false } });
  });

  it('other consent tools map their own category ids', () => {
    const r = normaliseCall(call({ context: prefs({ C0004: true }) }), 'track', { ...opts, consentCategories: { C0004: ['advertising'] } });
    expect(r.ok && r.touchpoint.consent?.advertising).toBe(true);
  });
});

describe('the touchpoint schema with consent', () => {
  it('reads touchpoints of the schema before it (BACKWARD), and the schema before reads the new ones (FORWARD)', async () => {
    const avro = (await import('avsc')).default;
    const { readSchema } = await import('../kit/avro.ts');
    const schema = JSON.parse(readSchema('touchpoint')) as { fields: { name: string }[] };
    const before = avro.Type.forSchema({ ...schema, fields: schema.fields.filter((f) => f.name !== 'consent') } as never);
    const now = avro.Type.forSchema(schema as never);
    const old = { messageId: 'm', type: 'track', event: 'e', timestamp: 1, source: 'web', context: null };
    expect(now.fromBuffer(before.toBuffer(old), now.createResolver(before))).toMatchObject({ messageId: 'm', consent: null });
    const withConsent = { ...old, consent: { advertising: true, analytics: false, personalisation: true, categories: { Advertising: true } } };
    expect(before.fromBuffer(now.toBuffer(withConsent), before.createResolver(now))).toMatchObject({ messageId: 'm' });
  });
});

describe('TESSERA_CONSENT_CATEGORIES in the collector\'s configuration', () => {
  it('defaults to Segment\'s example categories, reads a mapping, and names the variable when it is wrong', async () => {
    const { collectorConfig } = await import('../collector/config.ts');
    const base = { TESSERA_COLLECTOR_WRITE_KEYS: 'k1' };
    expect(collectorConfig(base).consentCategories).toEqual(DEFAULT_CONSENT_CATEGORIES);
    expect(collectorConfig({ ...base, TESSERA_CONSENT_CATEGORIES: '{"C0004": ["advertising"]}' }).consentCategories).toEqual({ C0004: ['advertising'] });
    expect(() => collectorConfig({ ...base, TESSERA_CONSENT_CATEGORIES: '{"C0004": "ads"}' })).toThrow(/TESSERA_CONSENT_CATEGORIES: C0004: expected a list of purposes/);
  });
});
