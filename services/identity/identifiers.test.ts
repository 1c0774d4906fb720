import { describe, expect, it } from 'vitest';
import { context, device, touchpoint } from '../../test/support/builders.ts';
import { extractIdentifiers } from './identifiers.ts';
import { defaultIdentityConfig } from './rules.ts';

const config = defaultIdentityConfig;
const types = (tp: Parameters<typeof extractIdentifiers>[0]): string[] =>
  extractIdentifiers(tp, config).identifiers.map((i) => `${i.type}:${i.value}`);

describe('extractIdentifiers', () => {
  it.each([
    ['userId and anonymousId', touchpoint({ userId: 'u1', anonymousId: 'a1' }), ['user_id:u1', 'anonymous_id:a1']],
    ['traits email and phone', touchpoint({ traits: { email: 'A@Shop.com', phone: '+1 415 555 2671' } }), ['email:a@shop.com', 'phone:+14155552671']],
    ['context.traits email', touchpoint({ context: context({ traits: { email: 'b@shop.com' } }) }), ['email:b@shop.com']],
    ['both emails, deduplicated', touchpoint({ traits: { email: 'b@shop.com' }, context: context({ traits: { email: 'B@SHOP.com' } }) }), ['email:b@shop.com']],
    ['device and advertising ids', touchpoint({ context: context({ device: device({ id: 'd1', advertisingId: 'ad-1' }) }) }), ['device_id:d1', 'advertising_id:ad-1']],
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
      context: context({ device: device({ advertisingId: '00000000-0000-0000-0000-000000000000' }) }),
    });
    const { identifiers, dropped } = extractIdentifiers(tp, config);
    expect(identifiers).toEqual([]);
    expect(dropped.map((d) => `${d.type}:${d.code}`)).toEqual(['user_id:BLOCKED', 'anonymous_id:TOO_LONG', 'email:INVALID', 'phone:INVALID', 'advertising_id:BLOCKED']);
  });
});
