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

describe('internationalised emails (RFC 6531 local parts, UTS #46 domains)', () => {
  it.each([
    ['Jürgen.Müller@Bücher.de', 'jürgen.müller@bücher.de'],
    ['jürgen.müller@xn--bcher-kva.de', 'jürgen.müller@bücher.de'],
    ['JÜRGEN.MÜLLER@XN--BCHER-KVA.DE', 'jürgen.müller@bücher.de'],
    ['info@BÜCHER.DE', 'info@bücher.de'],
    ['ａｎａ@ＡＣＭＥ．ｉｏ', 'ａｎａ@acme.io'],
    ['用户@例子.广告', '用户@例子.广告'],
    ['user@xn--fsqu00a.xn--4rr70v', 'user@例子.广告'],
    ['δοκιμή@παράδειγμα.δοκιμή', 'δοκιμή@παράδειγμα.δοκιμή'],
    ['Ju\u0308rgen@bu\u0308cher.de', 'jürgen@bücher.de'], // decomposed (NFD) input: NFC
    ['faß@straße.de', 'faß@straße.de'], // non-transitional UTS #46: ß stays
  ])('%j → %j', (raw, want) => {
    expect(normaliseIdentifier('email', raw, config)).toEqual({ ok: true, identifier: { type: 'email', value: want } });
  });

  it.each([
    ['jürgen@bücher'], ['jürgen müller@bücher.de'], ['jürgen@-bücher.de'], ['jürgen@xn--zz.de'], ['a@b..de'], ['a@[127.0.0.1]'],
    ['a@1.2.3.4'], ['"quoted"@shop.com'], ['a@shop_1.com'], [`${'ü'.repeat(33)}@shop.com`], ['a@ab--cd.com'], [`a@${'x'.repeat(64)}.com`],
  ])('rejects %j as INVALID', (raw) => {
    const n = normaliseIdentifier('email', raw, config);
    expect(n.ok ? null : n.dropped.code).toBe('INVALID');
  });
});

describe('invisible characters and Unicode forms, for every type', () => {
  const invisible = ['\u200b', '\u200c', '\u200d', '\ufeff', '\u2060', '\u00ad', '\u0000', '\u0007', '\t', '\n', '\u200e', '\u202e', '\u180e', '\ufe0f', '\u{e0041}'];

  it.each(invisible.map((ch) => [ch.codePointAt(0)?.toString(16) ?? '', ch]))('U+%s inside an email, a user id and a crm id is removed', (_code, ch) => {
    expect(normaliseIdentifier('email', `ana${ch}@acme${ch}.io${ch}`, config)).toEqual({ ok: true, identifier: { type: 'email', value: 'ana@acme.io' } });
    expect(normaliseIdentifier('user_id', `${ch}usr${ch}_42${ch}`, config)).toEqual({ ok: true, identifier: { type: 'user_id', value: 'usr_42' } });
    expect(normaliseIdentifier('crm_id', `C-9${ch}`, config)).toEqual({ ok: true, identifier: { type: 'crm_id', value: 'C-9' } });
    expect(normaliseIdentifier('phone', `+44 7911${ch} 123456`, config)).toEqual({ ok: true, identifier: { type: 'phone', value: '+447911123456' } });
  });

  it('user ids keep their case but are NFC', () => {
    expect(normaliseIdentifier('user_id', 'Jo\u0308rg', config)).toEqual({ ok: true, identifier: { type: 'user_id', value: 'Jörg' } });
  });

  it.each([[''], ['   '], ['\u200b\u200b'], ['\u0000'], [' \ufeff\t']])('%j is empty after cleaning: INVALID with a reason', (raw) => {
    for (const type of ['user_id', 'email', 'phone', 'crm_id']) {
      const n = normaliseIdentifier(type, raw, config);
      expect(n.ok ? null : [n.dropped.code, n.dropped.reason]).toEqual(['INVALID', 'empty (after trimming and removing invisible characters)']);
    }
  });

  it('a value with a lone surrogate is INVALID, whatever its type, and nothing throws', () => {
    for (const type of ['user_id', 'email', 'phone', 'anonymous_id']) {
      for (const raw of ['ab\ud800', '\udc00x@acme.io', '\ud83d']) {
        const n = normaliseIdentifier(type, raw, config);
        expect(n.ok ? null : n.dropped.code).toBe('INVALID');
      }
    }
  });

  it('a placeholder hidden behind invisible characters is still blocked', () => {
    const n = normaliseIdentifier('user_id', 'null\u200b', config);
    expect(n.ok ? null : n.dropped.code).toBe('BLOCKED');
  });

  it.each([
    ['email', 'Jürgen.Müller@Bücher.de'], ['email', 'a\u200b@xn--bcher-kva.de'], ['user_id', 'Jo\u0308rg\u00ad'], ['crm_id', '\ufeffC-7'], ['email', 'İsmail@acme.io'],
  ])('normalising %s %j twice changes nothing', (type, raw) => {
    const once = normaliseIdentifier(type, raw, config);
    if (!once.ok) throw new Error(once.dropped.reason);
    expect(normaliseIdentifier(type, once.identifier.value, config)).toEqual(once);
  });
});

describe('blocked values come back normalised, for the claim to keep', () => {
  it('a blocked email is dropped as BLOCKED and given back normalised', () => {
    const n = normaliseIdentifier('email', ' Test@Test.com ', config);
    expect(n).toEqual({ ok: false, dropped: { type: 'email', raw: ' Test@Test.com ', code: 'BLOCKED', reason: expect.any(String) }, blocked: { type: 'email', value: 'test@test.com' } });
  });

  it('a placeholder that is not a valid value has nothing to keep', () => {
    const n = normaliseIdentifier('email', 'null', config);
    expect(n.ok ? null : [n.dropped.code, n.blocked]).toEqual(['BLOCKED', undefined]);
  });
});
