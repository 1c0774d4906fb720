import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdentityClaimRecord, IdentityIdentifierRecord } from '../kit/records.ts';
import { ClaimProfileTable } from './table.ts';

const claim = (key: string, primary: string | null, version: number): IdentityClaimRecord => ({
  claimKey: key, primaryType: primary?.split(':')[0] ?? null, primaryValue: primary?.split(':')[1] ?? null, profileId: null, messageId: 'm', eventTime: 0, version,
});
const identifier = (key: string, profileId: string | null, version: number): IdentityIdentifierRecord => ({
  type: key.split(':')[0]!, value: key.split(':')[1]!, profileId, messageId: 'm', eventTime: 0, version,
});

describe('ClaimProfileTable', () => {
  it.each([
    ['an unknown claim is not linked', [], 'c1', false],
    ['a claim whose attributed identifier is not read yet is not linked', [['c', 'c1', 'user_id:u1', 1]], 'c1', false],
    ['a claim and its identifier read: linked', [['c', 'c1', 'user_id:u1', 1], ['i', 'user_id:u1', 'p1', 2]], 'c1', true],
    ['a claim attributed to no identifier is linked (to no profile)', [['c', 'c1', null, 1]], 'c1', true],
  ] as [string, [string, string, string | null, number][], string, boolean][])('%s', (_name, records, key, linked) => {
    const t = new ClaimProfileTable();
    for (const [kind, k, v, version] of records) {
      if (kind === 'c') t.applyClaim(k, claim(k, v, version));
      else t.applyIdentifier(k, identifier(k, v, version));
    }
    expect(t.linked(key)).toBe(linked);
  });

  it('keeps the highest version per identifier whatever order the records come in, and a tombstone removes it (property)', () => {
    const rec = fc.record({ key: fc.constantFrom('user_id:u1', 'email:e@x.io'), profile: fc.option(fc.constantFrom('p1', 'p2', 'p3'), { nil: null }), version: fc.integer({ min: 1, max: 1000 }) });
    fc.assert(fc.property(fc.uniqueArray(rec, { selector: (r) => r.version, maxLength: 20 }), (records) => {
      const forward = new ClaimProfileTable(), shuffled = new ClaimProfileTable();
      for (const r of records) forward.applyIdentifier(r.key, identifier(r.key, r.profile, r.version));
      for (const r of [...records].reverse()) shuffled.applyIdentifier(r.key, identifier(r.key, r.profile, r.version));
      // Applied again (a feed re-reading from the start): nothing changes.
      for (const r of records) shuffled.applyIdentifier(r.key, identifier(r.key, r.profile, r.version));
      for (const key of ['user_id:u1', 'email:e@x.io']) {
        const latest = records.filter((r) => r.key === key).sort((a, b) => b.version - a.version)[0];
        expect(forward.profileOf(key)).toBe(latest?.profile ?? null);
        expect(shuffled.profileOf(key)).toBe(latest?.profile ?? null);
      }
      forward.applyIdentifier('user_id:u1', null, Number.MAX_SAFE_INTEGER);
      expect(forward.profileOf('user_id:u1')).toBeNull();
    }));
  });
});
