import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseText, redact } from './analyse.ts';

describe('redact', () => {
  it.each([
    ['an email', 'write to ada@example.org today', 'write to today'],
    ['a phone number', 'call +49 30 1234567 or (415) 555-0100', 'call or'],
    ['a URL', 'see https://shop.example/orders/123 now', 'see now'],
    ['a handle', 'thanks @ada_l for the tip', 'thanks for the tip'],
    ['an order number', 'order 12345678 is late', 'order is late'],
    ['nothing else', 'battery drain after update 4', 'battery drain after update 4'],
  ])('removes %s', (_t, text, expected) => expect(redact(text)).toBe(expected));
});

describe('analyseText', () => {
  it.each([
    ['the noun phrase, without its adjectives', 'Severe battery drain since the update. Please fix it!', ['battery drain', 'update']],
    ['lemmas: plurals are one theme', 'Love the new mosaic tiles.', ['love', 'mosaic tile']],
    ['no phrase from an email or number', 'My email is ada@example.org and my order 99887766 is missing', ['email', 'order']],
  ])('%s', (_t, text, phrases) => expect(analyseText(text).phrases).toEqual(phrases));

  it('scores sentiment from negative to positive', () => {
    expect(analyseText('The parcel arrived damaged, terrible service.').sentiment).toBeLessThan(0);
    expect(analyseText('Great service, the support team was very helpful.').sentiment).toBeGreaterThan(0);
  });

  it('property: any text gives a score in [-1, 1] and phrases without digits, @ or PII, deterministically', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.emailAddress(), (text, email) => {
      const a = analyseText(`${text} ${email}`);
      expect(a.sentiment).toBeGreaterThanOrEqual(-1);
      expect(a.sentiment).toBeLessThanOrEqual(1);
      expect(a.phrases.every((p) => !/[\d@]/.test(p))).toBe(true);
      expect(analyseText(`${text} ${email}`)).toEqual(a);
    }), { numRuns: 200 });
  });
});
