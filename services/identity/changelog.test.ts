import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claim, ident } from '../../test/support/builders.ts';
import { claimKey } from './changelog.ts';
import { IdentityGraph } from './graph.ts';
import { defaultIdentityConfig } from './rules.ts';

describe('claimKey', () => {
  it('is the key the changelog publishes for the same identifier set', () => {
    const specs = ['email:ana@acme.io', 'anonymous_id:c1', 'user_id:u1'];
    const step = new IdentityGraph(defaultIdentityConfig).apply(claim('m1', 1_000, ...specs));
    const ids = specs.map(ident);
    expect(step.changelog.map((r) => r.key)).toEqual([claimKey(ids)]);
  });

  it('ignores order and repeats, and tells different sets apart', () => {
    const id = fc.record({ type: fc.constantFrom('email', 'user_id', 'crm_id'), value: fc.string({ maxLength: 6 }) });
    fc.assert(fc.property(fc.array(id, { minLength: 1, maxLength: 6 }), (ids) => {
      const shuffled = [...ids].reverse().concat(ids.slice(0, 1));
      expect(claimKey(shuffled)).toBe(claimKey(ids));
    }));
    expect(claimKey([ident('user_id:a')])).not.toBe(claimKey([ident('user_id:b')]));
    expect(claimKey([ident('user_id:a')])).not.toBe(claimKey([ident('crm_id:a')]));
  });
});
