import { describe, expect, it } from 'vitest';
import { defaultIdentityConfig, extractIdentifiers } from '../identity/index.ts';
import { touchpoint } from '../../test/support/builders.ts';
import { parseLookupKey } from './lookup-key.ts';

const parse = (s: string) => parseLookupKey(s, defaultIdentityConfig);

describe('lookup keys', () => {
  it.each([
    ['email:Ada@Acme.io ', 'email:ada@acme.io'],
    ['EMAIL:ada@acme.io', 'email:ada@acme.io'],
    ['phone:(415) 555-2671', 'phone:+14155552671'],
    ['phone:+44 7911 123456', 'phone:+447911123456'],
    ['user_id: u-42 ', 'user_id:u-42'],
    ['crm_id:crm-100001', 'crm_id:crm-100001'],
    ['anonymous_id:a:b:c', 'anonymous_id:a:b:c'],
    // Segment's external id types are types like any other, as the core reads externalIds.
    ['Android.Id:abc', 'android.id:abc'],
  ])('%j is looked up as %s', (input, key) => {
    expect(parse(input)).toMatchObject({ ok: true, kind: 'identifier', key });
  });

  it.each([
    ['p_0123abcd', 'p_0123abcd'],
    [' p_x ', 'p_x'],
  ])('%j is a profile id', (input, profileId) => {
    expect(parse(input)).toEqual({ ok: true, kind: 'profile', profileId });
  });

  it.each([
    ['', 'TSR_API_BAD_IDENTIFIER'],
    ['email:', 'TSR_API_BAD_IDENTIFIER'],
    ['email:   ', 'TSR_API_BAD_IDENTIFIER'],
    [':value', 'TSR_API_BAD_TYPE'],
    ['  :value', 'TSR_API_BAD_TYPE'],
    [`${'t'.repeat(65)}:abc`, 'TSR_API_BAD_TYPE'],
    ['email:not-an-email', 'TSR_API_INVALID_IDENTIFIER'],
    ['phone:12', 'TSR_API_INVALID_IDENTIFIER'],
    ['anonymous_id:undefined', 'TSR_API_INVALID_IDENTIFIER'],
    [`user_id:${'x'.repeat(300)}`, 'TSR_API_INVALID_IDENTIFIER'],
  ])('%j is refused with %s', (input, code) => {
    const r = parse(input);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
  });

  it('finds what the core extracted from an event, however the caller writes it', () => {
    const t = touchpoint({ userId: ' u1 ', traits: { email: ' Ada.Lovelace@Acme.IO', phone: '+1 (415) 555-2671' } });
    const extracted = extractIdentifiers(t, defaultIdentityConfig).identifiers.map((i) => `${i.type}:${i.value}`);
    for (const asked of ['user_id:u1', 'email:ada.lovelace@acme.io', 'EMAIL: Ada.Lovelace@acme.io', 'phone:4155552671', 'phone:+14155552671']) {
      const r = parse(asked);
      expect(r.ok && r.kind === 'identifier' && extracted.includes(r.key), asked).toBe(true);
    }
  });
});
