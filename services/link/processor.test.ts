import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimKey, defaultIdentityConfig, IdentityGraph, resolve, ruleFor, type Claim, type Identifier } from '../identity/index.ts';
import type { ClaimRecord, IdentityClaimRecord, IdentityIdentifierRecord, ProfileRecord } from '../kit/records.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { InputRecord } from '../kit/stage/types.ts';
import { topicNames } from '../kit/topics.ts';
import { claim } from '../../test/support/builders.ts';
import { SuppressionList } from '../privacy/suppression.ts';
import { linkProcessor, type LinkState } from './processor.ts';
import { VersionClock } from './version-clock.ts';

const topics = topicNames('p.');
const processor = linkProcessor(topics);
const fresh = (): LinkState => { let t = 0; return { graph: new IdentityGraph(defaultIdentityConfig), versions: new VersionClock(() => ++t), suppression: new SuppressionList(Buffer.alloc(32, 7)) }; };
let offset = 0;
const input = (...claims: Claim[]): InputRecord<ClaimRecord>[] =>
  claims.map((value) => ({ topic: topics.claims, partition: 0, offset: String(offset++), key: Buffer.from(claimKey(value.identifiers)), value }));
const on = (outs: KafkaOut[], topic: string) => outs.filter((o) => o.topic === topic);
/** The table a compacted topic holds after these records: last value per key. */
const table = <V>(outs: KafkaOut[], topic: string) => new Map(on(outs, topic).map((o) => [o.key, o.value as V | null]));

describe('link processor', () => {
  it('links a new claim: profile, changelog, identifier table and claim table', () => {
    const c = claim('m1', 1000, 'user_id:u1', 'anonymous_id:c1');
    const out = processor.process(fresh(), input(c));
    const key = claimKey(c.identifiers);
    const profile = [...table<ProfileRecord>(out.outputs, topics.profiles).values()][0]!;
    expect(profile).toMatchObject({ state: 'active', firstSeen: 1000, lastSeen: 1000 });
    expect(profile.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['anonymous_id:c1', 'user_id:u1']);
    expect(table<ClaimRecord>(out.outputs, topics.changelog).get(key)).toEqual({ messageId: 'm1', eventTime: 1000, identifiers: c.identifiers.sort((a, b) => (a.type < b.type ? -1 : 1)) });
    expect(table<IdentityClaimRecord>(out.outputs, topics.identityClaims).get(key)).toMatchObject({ claimKey: key, primaryType: 'user_id', primaryValue: 'u1', profileId: profile.profileId, messageId: 'm1', eventTime: 1000 });
    const ids = table<IdentityIdentifierRecord>(out.outputs, topics.identifiers);
    expect([...ids.keys()].sort()).toEqual(['anonymous_id:c1', 'user_id:u1']);
    expect(ids.get('user_id:u1')).toMatchObject({ profileId: profile.profileId, messageId: 'm1', eventTime: 1000 });
    expect(out.tally).toEqual({ claimsIn: 1, claimsChanged: 1, merges: 0, moves: 0, refusals: 0, suppressed: 0, privacyRequests: 0, erasures: 0 });
    // Every record carries its version, in the value and in a header, strictly increasing.
    const versions = out.outputs.filter((o) => o.topic !== topics.changelog).map((o) => Number(o.headers?.version ?? (o.value as { version: number }).version));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it.each([
    ['a repeat with a later event changes nothing', claim('m2', 2000, 'anonymous_id:c1'), 0, []],
    // The profile id derives from its founding claim: an earlier founder re-founds the profile (a merge into the new id).
    ['a repeat with an earlier event re-keys the claim and re-founds its profile', claim('m0', 500, 'anonymous_id:c1'), 1,
      [topics.profiles, topics.merges, topics.changelog, topics.identifiers, topics.identityClaims]],
  ])('%s', (_name, again, changed, topicsOut) => {
    const state = fresh();
    processor.process(state, input(claim('m1', 1000, 'anonymous_id:c1')));
    const out = processor.process(state, input(again));
    expect(out.tally.claimsChanged).toBe(changed);
    expect([...new Set(out.outputs.map((o) => o.topic))].sort()).toEqual([...topicsOut].sort());
  });

  it('merges two profiles: one merge record, the loser points to the survivor, every survivor identifier is republished', () => {
    const state = fresh();
    processor.process(state, input(claim('m1', 1000, 'anonymous_id:c1'), claim('m2', 2000, 'anonymous_id:c2')));
    const out = processor.process(state, input(claim('m3', 3000, 'user_id:u1', 'anonymous_id:c1', 'anonymous_id:c2')));
    const survivor = state.graph.profileOf({ type: 'anonymous_id', value: 'c1' })!;
    expect(on(out.outputs, topics.merges).map((o) => (o.value as { kind: string; intoProfileId: string }).intoProfileId)).toEqual([survivor]);
    const profiles = table<ProfileRecord>(out.outputs, topics.profiles);
    expect([...profiles.values()].map((p) => [p!.state, p!.mergedInto])).toContainEqual(['merged', survivor]);
    const ids = table<IdentityIdentifierRecord>(out.outputs, topics.identifiers);
    expect([...ids.values()].map((v) => [`${v!.type}:${v!.value}`, v!.profileId]).sort()).toEqual([
      ['anonymous_id:c1', survivor], ['anonymous_id:c2', survivor], ['user_id:u1', survivor]]);
    expect(out.tally.merges).toBe(1);
  });

  it('keeps a claim of blocked values only: in the changelog and the claim table (no primary), linking nothing', () => {
    const state = fresh();
    const c = { messageId: 'm1', eventTime: 1000, identifiers: [], blocked: [{ type: 'email', value: 'test@test.com' }] };
    const key = claimKey(c.identifiers, c.blocked);
    const out = processor.process(state, [{ topic: topics.claims, partition: 0, offset: '1', key: Buffer.from(key), value: c }]);
    expect(out.deadLetters).toEqual([]);
    expect(table<ClaimRecord>(out.outputs, topics.changelog).get(key)).toMatchObject({ blocked: c.blocked });
    expect(table<IdentityClaimRecord>(out.outputs, topics.identityClaims).get(key)).toMatchObject({ primaryType: null, primaryValue: null, profileId: null });
    expect([on(out.outputs, topics.profiles), on(out.outputs, topics.identifiers)]).toEqual([[], []]);
  });

  it.each([
    ['a claim without identifiers', Buffer.from('c_x'), { messageId: 'm', eventTime: 1, identifiers: [] }, 'a claim needs at least one identifier'],
    ['a claim filed under another key', Buffer.from('c_0000'), claim('m', 1, 'user_id:u9'), 'the record key "c_0000" is not the claim key of its identifiers'],
  ])('sends %s to the DLQ and links nothing', (_name, key, value, reason) => {
    const state = fresh();
    const out = processor.process(state, [{ topic: topics.claims, partition: 0, offset: '7', key, value }]);
    expect(out.outputs).toEqual([]);
    expect(out.deadLetters).toEqual([{ source: expect.objectContaining({ offset: '7' }), code: 'TSR_DLQ_INVALID_CLAIM', reason: expect.stringContaining(reason) }]);
    expect(state.graph.stats().claims).toBe(0);
  });

  // The identifier and claim tables are derived from step results, not read from the graph: hold them to the graph.
  const ids = fc.constantFrom('user_id:u1', 'user_id:u2', 'anonymous_id:a1', 'anonymous_id:a2', 'anonymous_id:a3', 'email:e1@x.io', 'device_id:d1');
  const claims = fc.array(fc.record({ ids: fc.uniqueArray(ids, { minLength: 1, maxLength: 3 }), t: fc.integer({ min: 0, max: 20 }), m: fc.constantFrom('m1', 'm2', 'm3', 'm4') }), { minLength: 1, maxLength: 25 });
  it('publishes tables that equal the graph after any claims, in batches of any size (property)', () => {
    fc.assert(fc.property(claims, fc.integer({ min: 1, max: 5 }), (cs, batch) => {
      const state = fresh();
      const outs: KafkaOut[] = [];
      const all = cs.map((c) => claim(c.m, c.t, ...c.ids));
      for (let i = 0; i < all.length; i += batch) outs.push(...processor.process(state, input(...all.slice(i, i + batch))).outputs);
      const g = state.graph;
      const identifiers = table<IdentityIdentifierRecord>(outs, topics.identifiers);
      for (const spec of new Set(cs.flatMap((c) => c.ids))) {
        const [type, value] = spec.split(':') as [string, string];
        expect(identifiers.get(spec)?.profileId ?? null).toBe(g.profileOf({ type, value }));
      }
      const linked = new Map(g.profiles().flatMap((p) => p.identifiers.map((l) => [`${l.identifier.type}:${l.identifier.value}`, l])));
      for (const [k, l] of linked) expect(identifiers.get(k)).toMatchObject({ profileId: l.profileId, messageId: l.messageId, eventTime: l.eventTime });
      const profiles = table<ProfileRecord>(outs, topics.profiles);
      const active = [...profiles.values()].filter((p) => p?.state === 'active').map((p) => p!.profileId).sort();
      expect(active).toEqual(g.profiles().map((p) => p.profileId));
      const claimTable = table<IdentityClaimRecord>(outs, topics.identityClaims);
      const changelog = g.changelog();
      expect([...claimTable.keys()].sort()).toEqual(changelog.map((c) => c.key).sort());
      for (const c of changelog) expect(claimTable.get(c.key)).toMatchObject({ messageId: c.value!.messageId, eventTime: c.value!.eventTime });
    }), { numRuns: 300 });
  });
  // The warehouse attributes a claim's events through the primary its latest claim record names (→ that identifier's
  // current profile): it must be the profile the reference resolve() gives them, whatever later claims did.
  const strength = (a: Identifier, b: Identifier): number => {
    const pa = ruleFor(defaultIdentityConfig, a.type).priority, pb = ruleFor(defaultIdentityConfig, b.type).priority;
    return pa - pb || (a.type < b.type ? -1 : a.type > b.type ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  };
  const checkAttribution = (all: Claim[], batch: number): void => {
    const state = fresh();
    const outs: KafkaOut[] = [];
    for (let i = 0; i < all.length; i += batch) outs.push(...processor.process(state, input(...all.slice(i, i + batch))).outputs);
    const identifiers = table<IdentityIdentifierRecord>(outs, topics.identifiers);
    const claimTable = table<IdentityClaimRecord>(outs, topics.identityClaims);
    const profileOf = new Map(resolve(all, defaultIdentityConfig).flatMap((p) => p.identifiers.map((l) => [`${l.identifier.type}:${l.identifier.value}`, p.profileId])));
    for (const c of state.graph.changelog()) {
      const strongest = [...c.value!.identifiers].sort(strength).map((i) => `${i.type}:${i.value}`).find((k) => profileOf.has(k));
      const expected = strongest === undefined ? null : profileOf.get(strongest)!;
      const r = claimTable.get(c.key)!;
      const attributed = r.primaryType === null ? null : identifiers.get(`${r.primaryType}:${r.primaryValue}`)?.profileId ?? null;
      expect({ claim: c.value!.identifiers, attributed }).toEqual({ claim: c.value!.identifiers, attributed: expected });
    }
  };

  it.each([
    ['a shared device: d1 is contested by a second user id after a claim whose primary it was',
      [claim('m1', 1, 'user_id:u1', 'device_id:d1'), claim('m2', 2, 'anonymous_id:a1', 'device_id:d1'), claim('m3', 3, 'user_id:u2', 'device_id:d1')]],
  ])('names a primary whose current profile is the one resolve() gives the claim: %s', (_name, all) => {
    checkAttribution(all, 1);
    checkAttribution(all, all.length);
  });

  it('names a primary whose current profile is the one resolve() gives the claim, after any claims (property)', () => {
    fc.assert(fc.property(claims, fc.integer({ min: 1, max: 5 }), (cs, batch) => {
      checkAttribution(cs.map((c) => claim(c.m, c.t, ...c.ids)), batch);
    }), { numRuns: 300 });
  });
});
