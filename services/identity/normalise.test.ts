import { describe, expect, it } from 'vitest';
import { normaliseIdentifier } from './normalise.ts';
import { defaultIdentityConfig, parseIdentityConfig } from './rules.ts';

const config = defaultIdentityConfig;

describe('email normalisation', () => {
  it.each([
    ['  Jane.Doe@Gmail.COM ', 'jane.doe@gmail.com'],
    ['x+tag@sub.shop.co.uk', 'x+tag@sub.shop.co.uk'],
    ['ANNA@BEISPIEL.DE', 'anna@beispiel.de'],
  ])('%j → %j', (raw, want) => {
    expect(normaliseIdentifier('email', raw, config)).toEqual({ ok: true, identifier: { type: 'email', value: want } });
  });

  it.each([['jane'], ['jane@'], ['@shop.com'], ['jane@shop'], ['ja ne@shop.com'], ['jane..doe@shop.com'], ['.jane@shop.com']])(
    'rejects %j as INVALID', (raw) => {
      const n = normaliseIdentifier('email', raw, config);
      expect(n.ok ? null : n.dropped.code).toBe('INVALID');
    });
});

describe('phone normalisation to E.164', () => {
  it.each([
    ['US', '(415) 555-2671', '+14155552671'],
    ['US', '415.555.2671', '+14155552671'],
    ['US', '+1 415 555 2671', '+14155552671'],
    ['GB', '020 7946 0018', '+442079460018'],
    ['GB', '07911 123456', '+447911123456'],
    ['US', '+44 7911 123456', '+447911123456'],
    ['US', '0044 7911 123456', '+447911123456'],
    ['DE', '030 12345678', '+493012345678'],
    ['DE', '+49 (0)30 12345678', '+493012345678'],
    ['FR', '01 42 68 53 00', '+33142685300'],
    ['FR', '06 12 34 56 78', '+33612345678'],
    ['IN', '098765 43210', '+919876543210'],
    ['IN', '+91 98765-43210', '+919876543210'],
    ['BR', '(11) 91234-5678', '+5511912345678'],
    ['BR', '+55 21 2345-6789', '+552123456789'],
  ])('region %s: %j → %s', (region, raw, want) => {
    const parsed = parseIdentityConfig({ defaultRegion: region });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(normaliseIdentifier('phone', raw, parsed.config)).toEqual({ ok: true, identifier: { type: 'phone', value: want } });
  });

  it.each([['12'], ['not a phone'], ['+1 555 01']])('rejects %j as INVALID', (raw) => {
    const n = normaliseIdentifier('phone', raw, config);
    expect(n.ok ? null : n.dropped.code).toBe('INVALID');
  });
});

describe('blocked and over-long values', () => {
  it.each([
    ['user_id', 'null'], ['user_id', ' NULL '], ['user_id', 'undefined'], ['anonymous_id', 'unknown'], ['user_id', 'None'],
    ['user_id', '0'], ['advertising_id', '00000000-0000-0000-0000-000000000000'],
    ['device_id', '0000-0000'], ['email', 'test@test.com'], ['email', 'Someone@Example.com'], ['crm_id', 'n/a'],
  ])('%s %j is BLOCKED', (type, raw) => {
    const n = normaliseIdentifier(type, raw, config);
    expect(n.ok ? null : n.dropped.code).toBe('BLOCKED');
  });

  it.each([['user_id', 'u-123'], ['advertising_id', '6d92078a-8246-4ba4-ae5b-76104861e7dc'], ['email', 'real@shop.com'], ['user_id', '10']])(
    '%s %j is not blocked', (type, raw) => {
      expect(normaliseIdentifier(type, raw, config).ok).toBe(true);
    });

  it('rejects values over maxValueLength as TOO_LONG', () => {
    const n = normaliseIdentifier('user_id', 'x'.repeat(config.maxValueLength + 1), config);
    expect(n.ok ? null : n.dropped.code).toBe('TOO_LONG');
    expect(normaliseIdentifier('user_id', 'x'.repeat(config.maxValueLength), config).ok).toBe(true);
  });
});

describe('idempotence', () => {
  it.each([
    ['email', '  Jane.Doe@Gmail.COM '], ['phone', '(415) 555-2671'], ['phone', '+44 7911 123456'], ['user_id', '  u 1  '], ['crm_id', 'C-77'],
  ])('normalising %s %j twice changes nothing', (type, raw) => {
    const once = normaliseIdentifier(type, raw, config);
    if (!once.ok) throw new Error('expected a valid value');
    expect(normaliseIdentifier(type, once.identifier.value, config)).toEqual(once);
  });
});
