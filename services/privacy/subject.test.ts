import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultIdentityConfig } from '../identity/index.ts';
import { normaliseSubject, parseSubject } from './subject.ts';

const read = (text: string) => {
  const p = parseSubject(text);
  return p.ok ? normaliseSubject(p.type, p.value, defaultIdentityConfig) : p;
};

describe('the subject of a privacy request', () => {
  it.each([
    ['email:  ANA@Acme.io ', { type: 'email', value: 'ana@acme.io' }],
    ['phone:+1 (415) 555-2671', { type: 'phone', value: '+14155552671' }],
    ['user_id: usr_42 ', { type: 'user_id', value: 'usr_42' }],
    ['CRM:id:42', { type: 'crm', value: 'id:42' }],
    // A placeholder is blocked from linking, yet claims keep it: it can be erased like any value.
    ['email:test@example.com', { type: 'email', value: 'test@example.com' }],
  ])('reads %j as the identity core reads an event', (text, identifier) => {
    expect(read(text)).toEqual({ ok: true, identifier });
  });

  it.each([
    ['no colon', 'ana@acme.io', 'TSR_PRIVACY_BAD_REQUEST'],
    ['no type', ':ana@acme.io', 'TSR_PRIVACY_BAD_REQUEST'],
    ['no value', 'email:  ', 'TSR_PRIVACY_BAD_REQUEST'],
    ['an invalid email', 'email:not-an-email', 'TSR_PRIVACY_INVALID_IDENTIFIER'],
    ['an invalid phone', 'phone:12', 'TSR_PRIVACY_INVALID_IDENTIFIER'],
    ['a type of 65 characters', `${'t'.repeat(65)}:x`, 'TSR_PRIVACY_INVALID_IDENTIFIER'],
    ['a megabyte', `email:${'a'.repeat(1 << 20)}`, 'TSR_PRIVACY_BAD_REQUEST'],
  ])('refuses %s with a code and a reason', (_, text, code) => {
    const r = read(text);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
  });

  it('never throws, and reading its own answer again gives the same identifier (property)', () => {
    fc.assert(fc.property(fc.constantFrom('email', 'phone', 'user_id', 'anonymous_id', 'X'), fc.string({ unit: 'grapheme', maxLength: 40 }), (type, value) => {
      const r = read(`${type}:${value}`);
      if (r.ok) expect(read(`${r.identifier.type}:${r.identifier.value}`)).toEqual(r);
    }), { numRuns: 500 });
  });
});
