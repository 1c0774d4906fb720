import { describe, expect, it } from 'vitest';
import { analystErasureStatements } from './analyst-erasure.ts';
import { keyedHash } from './keyed-hash.ts';
import { carriesSql, erasurePlan } from './plan.ts';

const all = new Set(['consent_by_claim', 'events', 'identities', 'profile_anchors', 'identity_changes', 'claims', 'profiles', 'profile_activity', 'profile_traits', 'events_v1', 'profile_activity_v1', 'identifier_traits_v1']);

describe('the erasure plan', () => {
  it('has a count and a mutation per table the database has, aggregates first', () => {
    const plan = erasurePlan('db', { type: 'email', value: 'a@b.io' }, all, { only: ['c1'], all: ['c1', 'c2'] });
    expect(plan.map((s) => s.name)).toEqual([
      'profile_activity_deleted', 'consent_by_claim_deleted', 'profile_traits_deleted', 'events_deleted', 'events_rewritten', 'identities_deleted', 'profile_anchors_deleted',
      'identity_changes_deleted', 'claims_deleted', 'profiles_deleted', 'events_v1_deleted', 'profile_activity_v1_deleted', 'identifier_traits_v1_deleted',
    ]);
    for (const s of plan) {
      expect(s.count).toMatch(new RegExp(`^SELECT count\\(\\) AS n FROM db\\.${s.table} WHERE `));
      expect(s.mutation).toMatch(new RegExp(`^ALTER TABLE db\\.${s.table} (DELETE|UPDATE .+) WHERE `));
      // The same rows are counted and changed.
      expect(s.mutation.slice(s.mutation.lastIndexOf(' WHERE '))).toBe(s.count.slice(s.count.indexOf(' WHERE ')));
    }
  });

  it('erases the keyed hash from the analysts\' tables it has, after the raw tables, counting the rows it deletes', () => {
    const key = Buffer.alloc(32, 9);
    const id = { type: 'email', value: 'a@b.io' };
    const plan = erasurePlan('db', id, new Set(['events']), { only: [], all: [] }, { key, tables: new Set(['events', 'claims']) });
    expect(plan.map((s) => s.name)).toEqual(['events_deleted', 'events_rewritten', 'analyst_events_deleted', 'analyst_claims_deleted']);
    const analyst = plan.slice(2);
    // pii's own statements, under the key the analysts' views hash with.
    expect(analyst.map((s) => s.mutation)).toEqual(analystErasureStatements('db', key, 'email', 'a@b.io').filter((m) => !m.includes('.identities ')));
    for (const s of analyst) {
      expect(s.mutation).toContain(keyedHash(key, 'email', 'a@b.io'));
      expect(s.mutation).not.toContain('a@b.io');
      expect(s.mutation.slice(s.mutation.lastIndexOf(' WHERE '))).toBe(s.count.slice(s.count.indexOf(' WHERE ')));
      expect(s.count).toMatch(/^SELECT count\(\) AS n FROM db_analyst\./);
    }
  });

  it('leaves out tables the database lacks and aggregates when no claim is affected', () => {
    expect(erasurePlan('db', { type: 'user_id', value: 'u' }, new Set(['events', 'identities']), { only: [], all: [] }).map((s) => s.name))
      .toEqual(['events_deleted', 'events_rewritten', 'identities_deleted']);
  });

  it.each([
    ["o'brien@x.io", "'o\\'brien@x.io'"],
    ['back\\slash', "'back\\\\slash'"],
  ])('escapes %j as a literal, never raw', (value, literal) => {
    const plan = erasurePlan('db', { type: 'user_id', value }, new Set(['identities']), { only: [], all: [] });
    expect(plan[0]!.mutation).toContain(`id_value = ${literal}`);
  });

  it('reads a phone in raw text by its digits, an email by its case-folded trimmed text', () => {
    expect(carriesSql('x', { type: 'phone', value: '+14155552671' })).toContain("endsWith('14155552671'");
    expect(carriesSql('x', { type: 'email', value: 'a@b.io' })).toContain("= 'a@b.io'");
  });

  it('refuses a database name that is not a plain identifier', () => {
    expect(() => erasurePlan('db; DROP', { type: 'email', value: 'a@b.io' }, all, { only: [], all: [] })).toThrow(RangeError);
  });
});
