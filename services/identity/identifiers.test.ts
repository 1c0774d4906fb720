import { describe, expect, it } from 'vitest';
import { context, device, touchpoint } from '../../test/support/builders.ts';
import { IdentityGraph } from './graph.ts';
import { extractIdentifiers } from './identifiers.ts';
import { defaultIdentityConfig, parseIdentityConfig } from './rules.ts';
import type { Consent } from '../contract/consent.ts';

const consent = (c: Partial<Consent>): Consent => ({ advertising: false, analytics: false, personalisation: false, categories: {}, ...c });

const config = defaultIdentityConfig;
const types = (tp: Parameters<typeof extractIdentifiers>[0]): string[] =>
  extractIdentifiers(tp, config).identifiers.map((i) => `${i.type}:${i.value}`);

describe('extractIdentifiers', () => {
  it.each([
    ['userId and anonymousId', touchpoint({ userId: 'u1', anonymousId: 'a1' }), ['user_id:u1', 'anonymous_id:a1']],
    ['traits email and phone', touchpoint({ traits: { email: 'A@Shop.com', phone: '+1 415 555 2671' } }), ['email:a@shop.com', 'phone:+14155552671']],
    ['context.traits email', touchpoint({ context: context({ traits: { email: 'b@shop.com' } }) }), ['email:b@shop.com']],
    ['both emails, deduplicated', touchpoint({ traits: { email: 'b@shop.com' }, context: context({ traits: { email: 'B@SHOP.com' } }) }), ['email:b@shop.com']],
    ['device and advertising ids (advertising consent)', touchpoint({ context: context({ device: device({ id: 'd1', advertisingId: 'ad-1' }) }), consent: consent({ advertising: true }) }), ['device_id:d1', 'advertising_id:ad-1']],
    ['no advertising id without advertising consent', touchpoint({ context: context({ device: device({ id: 'd1', advertisingId: 'ad-1' }) }), consent: consent({ analytics: true, personalisation: true }) }), ['device_id:d1']],
    ['no advertising id when the touchpoint says nothing about consent', touchpoint({ context: context({ device: device({ id: 'd1', advertisingId: 'ad-1' }) }) }), ['device_id:d1']],
    ['externalIds of any type', touchpoint({ externalIds: [{ type: 'CRM_ID', id: ' C-9 ', collection: 'users' }] }), ['crm_id:C-9']],
    ['previousId of an alias', touchpoint({ type: 'alias', userId: 'u1', previousId: 'a0' }), ['user_id:u1', 'anonymous_id:a0']],
    ['previousId ignored outside alias', touchpoint({ type: 'track', userId: 'u1', previousId: 'a0' }), ['user_id:u1']],
    ['numeric trait values as text', touchpoint({ traits: { phone: 4155552671 } }), ['phone:+14155552671']],
    ['a national number read in the event country', touchpoint({ traits: { phone: '07911 123456' }, context: context({ location: { country: 'GB', region: null, city: null } }) }), ['phone:+447911123456']],
    ['a French national number', touchpoint({ traits: { phone: '06 12 34 56 78' }, context: context({ location: { country: 'fr', region: null, city: null } }) }), ['phone:+33612345678']],
    ['an unknown country falls back to the default region', touchpoint({ traits: { phone: '(415) 555-2671' }, context: context({ location: { country: 'Atlantis', region: null, city: null } }) }), ['phone:+14155552671']],
    ['an international number ignores the event country', touchpoint({ traits: { phone: '+49 30 1234567' }, context: context({ location: { country: 'US', region: null, city: null } }) }), ['phone:+49301234567']],
    ['nothing', touchpoint({}), []],
  ])('%s', (_name, tp, want) => {
    expect(types(tp)).toEqual(want);
  });

  it('drops and reports blocked, invalid and over-long values', () => {
    const tp = touchpoint({
      userId: 'null', anonymousId: 'x'.repeat(300), traits: { email: 'not-an-email', phone: '12' },
      context: context({ device: device({ advertisingId: '00000000-0000-0000-0000-000000000000' }) }), consent: consent({ advertising: true }),
    });
    const { identifiers, dropped } = extractIdentifiers(tp, config);
    expect(identifiers).toEqual([]);
    expect(dropped.map((d) => `${d.type}:${d.code}`)).toEqual(['user_id:BLOCKED', 'anonymous_id:TOO_LONG', 'email:INVALID', 'phone:INVALID', 'advertising_id:BLOCKED']);
  });
});

describe('consent-gated identifier types', () => {
  const ad = (c: Consent | null) => touchpoint({ anonymousId: 'a1', context: context({ device: device({ advertisingId: 'ad-1' }) }), consent: c });

  it.each([
    ['granted', consent({ advertising: true }), ['anonymous_id:a1', 'advertising_id:ad-1'], []],
    ['refused', consent({ analytics: true }), ['anonymous_id:a1'], ['advertising_id:NO_CONSENT']],
    ['not said', null, ['anonymous_id:a1'], ['advertising_id:NO_CONSENT']],
  ] as const)('advertising consent %s', (_name, c, ids, drops) => {
    const x = extractIdentifiers(ad(c), config);
    expect(x.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual(ids);
    expect(x.dropped.map((d) => `${d.type}:${d.code}`)).toEqual(drops);
    // The withheld value is not carried in the drop record either.
    expect(x.dropped.map((d) => d.raw)).toEqual(drops.map(() => ''));
  });

  it('the rules may gate other types, or none', () => {
    const none = parseIdentityConfig({ consentGated: {} });
    expect(none.ok && extractIdentifiers(ad(null), none.config).identifiers.map((i) => i.type)).toEqual(['anonymous_id', 'advertising_id']);
    const phones = parseIdentityConfig({ consentGated: { phone: 'personalisation' } });
    const tp = touchpoint({ userId: 'u1', traits: { phone: '+1 415 555 2671' }, consent: consent({ personalisation: false }) });
    expect(phones.ok && extractIdentifiers(tp, phones.config).identifiers.map((i) => i.type)).toEqual(['user_id']);
    expect(parseIdentityConfig({ consentGated: { advertising_id: 'marketing' } }).ok).toBe(false);
  });
});

describe('client-chosen identifier types are ordinary types', () => {
  const protoKeys = ['constructor', '__proto__', 'CONSTRUCTOR', ' __Proto__ ', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

  it.each(protoKeys)('an externalIds type %j is extracted, lower-cased and trimmed', (type) => {
    const x = extractIdentifiers(touchpoint({ externalIds: [{ type, id: 'x', collection: null }] }), config);
    expect(x.identifiers).toEqual([{ type: type.trim().toLowerCase(), value: 'x' }]);
    expect(x.dropped).toEqual([]);
  });

  it.each(protoKeys)('a value %j of any type is an ordinary value', (value) => {
    const x = extractIdentifiers(touchpoint({ userId: value, externalIds: [{ type: 'crm_id', id: value, collection: null }] }), config);
    expect(x.identifiers).toEqual([{ type: 'user_id', value: value.trim() }, { type: 'crm_id', value: value.trim() }]);
  });

  it.each(protoKeys)('a %j external id links two events like a crm_id does', (type) => {
    const g = new IdentityGraph(config);
    const apply = (tp: Parameters<typeof extractIdentifiers>[0]): void => {
      const x = extractIdentifiers(tp, config);
      g.apply({ messageId: tp.messageId, eventTime: tp.timestamp, identifiers: x.identifiers });
    };
    apply(touchpoint({ userId: 'u1', externalIds: [{ type, id: 'x', collection: null }] }));
    apply(touchpoint({ traits: { email: 'ana@acme.io' }, externalIds: [{ type, id: 'x', collection: null }] }));
    const p = g.profileOf({ type: 'user_id', value: 'u1' });
    expect(p).not.toBeNull();
    expect(g.profileOf({ type: 'email', value: 'ana@acme.io' })).toBe(p);
    expect(g.profileOf({ type: type.trim().toLowerCase(), value: 'x' })).toBe(p);
  });

  it('an external id without a type, or with an over-long one, is dropped with a reason', () => {
    const x = extractIdentifiers(touchpoint({ externalIds: [{ type: ' \u200b ', id: 'a', collection: null }, { type: 't'.repeat(65), id: 'b', collection: null }] }), config);
    expect(x.identifiers).toEqual([]);
    expect(x.dropped.map((d) => [d.code, d.reason])).toEqual([
      ['INVALID', 'an external id needs a type'], ['INVALID', 'an identifier type has at most 64 characters'],
    ]);
  });
});

describe('the event country, as a code or an English name', () => {
  const at = (country: string): string[] =>
    types(touchpoint({ traits: { phone: '07911 123456' }, context: context({ location: { country, region: null, city: null } }) }));

  it.each([['United Kingdom'], ['united kingdom'], ['UNITED KINGDOM'], ['GB'], ['gb'], ['GBR'], ['gbr'], ['826'], ['UK'], ['Great Britain'], [' United Kingdom ']])(
    'a national number in %j is read as British', (country) => {
      expect(at(country)).toEqual(['phone:+447911123456']);
    });

  it.each([['Germany', '030 12345678', '+493012345678'], ['DEU', '030 12345678', '+493012345678'], ['France', '06 12 34 56 78', '+33612345678'],
    ["Côte d'Ivoire", '01 23 45 67 89', '+2250123456789'], ['Cote d Ivoire', '01 23 45 67 89', '+2250123456789'], ['United States of America', '(415) 555-2671', '+14155552671']])(
    '%j reads %j as %s', (country, phone, want) => {
      expect(types(touchpoint({ traits: { phone }, context: context({ location: { country, region: null, city: null } }) }))).toEqual([`phone:${want}`]);
    });

  it.each([['Atlantis'], ['constructor'], ['__proto__'], [''], ['x'.repeat(1000)]])('%j names no country: the default region (US) is used', (country) => {
    expect(types(touchpoint({ traits: { phone: '(415) 555-2671' }, context: context({ location: { country, region: null, city: null } }) }))).toEqual(['phone:+14155552671']);
  });
});

describe('traits are read as own properties only', () => {
  it('an email inherited through a prototype the payload set is not the event\'s', () => {
    const traits = Object.assign(Object.create({ email: 'inherited@acme.io' }) as Record<string, string>, { plan: 'pro' });
    expect(types(touchpoint({ traits }))).toEqual([]);
  });
});
