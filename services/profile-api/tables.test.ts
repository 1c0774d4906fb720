import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimKey, defaultIdentityConfig, type Claim } from '../identity/index.ts';
import { claim } from '../../test/support/builders.ts';
import { activeProfile, linked, mergedProfile } from '../../test/support/published.ts';
import { Replay } from './replay.ts';
import { ApiState } from './service.ts';
import { IdentityTables } from './tables.ts';

const config = { identity: defaultIdentityConfig, TESSERA_API_DEAD_LETTERS_KEPT: 10 };
const idRecord = (profileId: string | null, messageId = 'm1', eventTime = 1000) => ({ type: 'x', value: 'y', profileId, messageId, eventTime, version: 1 });

describe('identity tables', () => {
  it('answers an identifier with its current profile, following merges the identifier table has not caught up with', () => {
    const t = new IdentityTables();
    t.applyProfile('p_a', activeProfile('p_a', 1, [linked('user_id', 'u1', 10)]));
    t.applyIdentifier('user_id:u1', idRecord('p_a'));
    expect(t.byIdentifier('user_id:u1')).toMatchObject({ ok: true, profile: { profileId: 'p_a' }, followed: [] });
    t.applyProfile('p_b', activeProfile('p_b', 3, [linked('user_id', 'u1', 10), linked('email', 'a@x.io', 20)]));
    t.applyProfile('p_a', mergedProfile('p_a', 'p_b', 2));
    expect(t.byIdentifier('user_id:u1')).toMatchObject({ ok: true, profile: { profileId: 'p_b' }, followed: ['p_a'] });
    expect(t.byProfileId('p_a')).toMatchObject({ ok: true, profile: { profileId: 'p_b' }, followed: ['p_a'] });
    expect(t.stats()).toEqual({ identifiers: 1, profiles: 1, mergedProfiles: 1 });
  });

  it.each([
    ['an identifier no event carried', (t: IdentityTables) => t.byIdentifier('email:nobody@x.io'), 'TSR_API_UNKNOWN_IDENTIFIER'],
    ['an identifier unlinked on purpose', (t: IdentityTables) => t.byIdentifier('anonymous_id:shared'), 'TSR_API_UNLINKED_IDENTIFIER'],
    ['an identifier whose profile the profiles table does not hold yet', (t: IdentityTables) => t.byIdentifier('user_id:ahead'), 'TSR_API_NOT_READY'],
    ['an unknown profile id', (t: IdentityTables) => t.byProfileId('p_none'), 'TSR_API_UNKNOWN_PROFILE'],
    ['a merge chain that loops', (t: IdentityTables) => t.byProfileId('p_loop1'), 'TSR_API_UNKNOWN_PROFILE'],
    ['a deleted profile', (t: IdentityTables) => t.byProfileId('p_gone'), 'TSR_API_UNKNOWN_PROFILE'],
  ])('refuses %s', (_name, ask, code) => {
    const t = new IdentityTables();
    t.applyIdentifier('anonymous_id:shared', idRecord(null, 'm-unlink', 5000));
    t.applyIdentifier('user_id:ahead', idRecord('p_later'));
    t.applyProfile('p_loop1', mergedProfile('p_loop1', 'p_loop2', 1));
    t.applyProfile('p_loop2', mergedProfile('p_loop2', 'p_loop1', 2));
    t.applyProfile('p_gone', activeProfile('p_gone', 1, []));
    t.applyProfile('p_gone', null);
    const r = ask(t);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok && code === 'TSR_API_UNLINKED_IDENTIFIER') expect(r.message).toContain('m-unlink');
  });

  it('keeps the latest record per key, as compaction does; a null identifier record removes it', () => {
    const t = new IdentityTables();
    t.applyIdentifier('user_id:u1', idRecord('p_a'));
    t.applyIdentifier('user_id:u1', idRecord(null, 'm9', 9000));
    expect(t.byIdentifier('user_id:u1')).toMatchObject({ ok: false, code: 'TSR_API_UNLINKED_IDENTIFIER' });
    t.applyIdentifier('user_id:u1', null);
    expect(t.byIdentifier('user_id:u1')).toMatchObject({ ok: false, code: 'TSR_API_UNKNOWN_IDENTIFIER' });
  });
});

// Identifiers from a small universe, so random claims collide, merge and hit limits.
const ident = fc.oneof(
  fc.integer({ min: 1, max: 4 }).map((n) => `user_id:u${n}`),
  fc.integer({ min: 1, max: 5 }).map((n) => `email:e${n}@x.io`),
  fc.integer({ min: 1, max: 8 }).map((n) => `anonymous_id:a${n}`),
);
const claims = fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.uniqueArray(ident, { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 25 })
  .map((cs) => cs.map(([t, ids], i) => claim(`m${i}`, t, ...ids) as Claim));

describe('the API state fed with what the link stage publishes', () => {
  it('answers every identifier with the link stage graph\'s profile, and explains every pair as the graph does, restored or followed', () => {
    fc.assert(fc.property(claims, fc.integer({ min: 1, max: 5 }), fc.boolean(), (cs, batch, followFromEmpty) => {
      const state = new ApiState(config);
      if (followFromEmpty) state.finishRestore();
      const replay = new Replay(state, defaultIdentityConfig);
      for (let i = 0; i < cs.length; i += batch) replay.claims(cs.slice(i, i + batch));
      if (!followFromEmpty) state.finishRestore();

      const truth = replay.graph.profiles();
      const ids = truth.flatMap((p) => p.identifiers.map((l) => l.identifier));
      for (const p of truth) {
        for (const l of p.identifiers) {
          const r = state.tables.byIdentifier(`${l.identifier.type}:${l.identifier.value}`);
          expect(r.ok && r.profile.profileId).toBe(p.profileId);
          if (r.ok) {
            expect(new Set(r.profile.identifiers.map((x) => `${x.type}:${x.value}:${x.messageId}`)))
              .toEqual(new Set(p.identifiers.map((x) => `${x.identifier.type}:${x.identifier.value}:${x.messageId}`)));
          }
        }
      }
      expect(state.tables.stats().profiles).toBe(truth.length);
      for (const a of ids) {
        for (const b of ids) {
          const want = replay.graph.explain(a, b)?.map((l) => `${l.identifier.type}:${l.identifier.value}@${l.messageId}`) ?? null;
          const got = state.graph.explain(a, b)?.map((e) => `${e.to.type}:${e.to.value}@${e.messageId}`) ?? null;
          expect(got).toEqual(want);
        }
      }
    }), { numRuns: 150 });
  });

  it('draws each profile as a tree of links from its first identifier that reaches every identifier', () => {
    fc.assert(fc.property(claims, (cs) => {
      const state = new ApiState(config);
      const replay = new Replay(state, defaultIdentityConfig);
      replay.claims(cs);
      state.finishRestore();
      for (const p of replay.graph.profiles()) {
        const [anchor, ...rest] = [...p.identifiers].sort((x, y) => x.eventTime - y.eventTime || (x.messageId < y.messageId ? -1 : 1)).map((l) => l.identifier);
        const { edges, complete } = state.graph.edges(anchor!, rest);
        expect(complete).toBe(true);
        const key = (i: { type: string; value: string }) => `${i.type}:${i.value}`;
        // A tree: one edge into every identifier but the anchor, each from an identifier already reached.
        expect(edges.map((e) => key(e.to)).sort()).toEqual(rest.map(key).sort());
        const reached = new Set([key(anchor!)]);
        let grew = true;
        while (grew) {
          grew = false;
          for (const e of edges) if (reached.has(key(e.from)) && !reached.has(key(e.to))) { reached.add(key(e.to)); grew = true; }
        }
        expect(reached.size).toBe(p.identifiers.length);
      }
    }), { numRuns: 150 });
  });

  it('rebuilds the explain graph without an erased claim', () => {
    const state = new ApiState(config);
    state.finishRestore();
    const c1 = claim('m1', 1, 'user_id:u1', 'email:e1@x.io') as Claim;
    const c2 = claim('m2', 2, 'email:e1@x.io', 'anonymous_id:a1') as Claim;
    for (const c of [c1, c2]) state.graph.apply(claimKey(c.identifiers), { messageId: c.messageId, eventTime: c.eventTime, identifiers: c.identifiers });
    const a = { type: 'user_id', value: 'u1' }, b = { type: 'anonymous_id', value: 'a1' };
    expect(state.graph.explain(a, b)?.map((e) => e.messageId)).toEqual(['m1', 'm2']);
    state.graph.apply(claimKey(c2.identifiers), null);
    expect(state.graph.explain(a, b)).toBeNull();
    expect(state.graph.profileOf(b)).toBeNull();
    expect(state.graph.profileOf({ type: 'email', value: 'e1@x.io' })).toBe(state.graph.profileOf(a));
  });
});
