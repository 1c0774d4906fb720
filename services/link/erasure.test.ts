import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimKey, defaultIdentityConfig, IdentityGraph, resolve, type Claim } from '../identity/index.ts';
import type { ClaimRecord, PrivacyAuditRecord, PrivacyRequestRecord, ProfileRecord, SuppressionRecord } from '../kit/records.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { InputRecord } from '../kit/stage/types.ts';
import { topicNames } from '../kit/topics.ts';
import { SuppressionList, stripClaim } from '../privacy/suppression.ts';
import { claim, ident } from '../../test/support/builders.ts';
import { linkProcessor, type LinkInput, type LinkState } from './processor.ts';
import { VersionClock } from './version-clock.ts';

const topics = topicNames('p.');
const processor = linkProcessor(topics);
const KEY = Buffer.alloc(32, 9);
const fresh = (): LinkState => { let t = 0; return { graph: new IdentityGraph(defaultIdentityConfig), versions: new VersionClock(() => ++t), suppression: new SuppressionList(KEY) }; };
let offset = 0;
const claims = (...cs: Claim[]): InputRecord<LinkInput>[] =>
  cs.map((value) => ({ topic: topics.claims, partition: 0, offset: String(offset++), key: Buffer.from(claimKey(value.identifiers)), value }));
const request = (subject: string, o: Partial<PrivacyRequestRecord> = {}): InputRecord<LinkInput> => {
  const { type, value } = ident(subject);
  const r: PrivacyRequestRecord = { requestId: 'r1', kind: 'erase', identifierType: type, identifierValue: value, requestedBy: 'ops', requestedAt: 5_000, ...o };
  return { topic: topics.privacyRequests, partition: 0, offset: String(offset++), key: Buffer.from(r.requestId), value: r };
};
const on = (outs: KafkaOut[], topic: string) => outs.filter((o) => o.topic === topic);
const audits = (outs: KafkaOut[]) => on(outs, topics.privacyAudit).map((o) => o.value as PrivacyAuditRecord);
/** Every output, keys included, as text: an erased value must appear nowhere but in a tombstone's key. */
const mentions = (outs: KafkaOut[], raw: string) => outs.filter((o) => o.value !== null && JSON.stringify([o.key, o.value]).includes(raw));

const bridge = [
  claim('m1', 1, 'user_id:u1', 'anonymous_id:a1'),
  claim('m2', 2, 'anonymous_id:a1', 'email:e@shop.com'),
  claim('m3', 3, 'email:e@shop.com', 'phone:+14155552671'),
  claim('m4', 4, 'anonymous_id:a1'),
];

describe('erasure at the link stage', () => {
  it('forgets the identifier, undoes the merge it bridged, suppresses it, and names it in no record', () => {
    const s = fresh();
    processor.process(s, claims(...bridge));
    expect(s.graph.profileOf(ident('user_id:u1'))).toBe(s.graph.profileOf(ident('email:e@shop.com')));
    const out = processor.process(s, [request('anonymous_id:a1')]);
    const erased = (o: KafkaOut) => JSON.stringify([o.key, o.value]).includes('"a1"') || JSON.stringify([o.key, o.value]).includes(':a1"');
    expect(s.graph.profileOf(ident('anonymous_id:a1'))).toBeNull();
    // a1 was the only bridge: u1 and the email are two people again.
    expect(s.graph.profileOf(ident('user_id:u1'))).not.toBeNull();
    expect(s.graph.profileOf(ident('user_id:u1'))).not.toBe(s.graph.profileOf(ident('email:e@shop.com')));
    expect(out.outputs.filter((o) => o.value !== null && erased(o))).toEqual([]);
    expect(on(out.outputs, topics.identifiers).filter((o) => o.value === null).map((o) => o.key)).toContain('anonymous_id:a1');
    const tombstones = on(out.outputs, topics.changelog).filter((o) => o.value === null).map((o) => o.key);
    expect(tombstones.sort()).toEqual([claimKey(bridge[0]!.identifiers), claimKey(bridge[1]!.identifiers), claimKey(bridge[3]!.identifiers)].sort());
    const [sup] = on(out.outputs, topics.suppressions).map((o) => o.value as SuppressionRecord);
    expect(sup).toMatchObject({ identifierType: 'anonymous_id', requestId: 'r1', claimsDropped: 3 });
    expect(audits(out.outputs)).toEqual([expect.objectContaining({ requestId: 'r1', step: 'graph', outcome: 'erased', final: false, hash: sup!.hash, counts: expect.objectContaining({ claims_dropped: 3, claims_relinked: 2 }) })]);
    expect(out.tally).toMatchObject({ privacyRequests: 1, erasures: 1 });
  });

  it('drops an erased identifier from later claims: it is not linked again, the rest of the claim is', () => {
    const s = fresh();
    processor.process(s, claims(...bridge));
    processor.process(s, [request('email:E@Shop.com ')]);
    const out = processor.process(s, claims(claim('m9', 9, 'email:e@shop.com', 'user_id:u9')));
    expect(s.graph.profileOf(ident('email:e@shop.com'))).toBeNull();
    expect(s.graph.profileOf(ident('user_id:u9'))).not.toBeNull();
    expect(mentions(out.outputs, 'e@shop.com')).toEqual([]);
    expect(out.tally).toMatchObject({ suppressed: 1 });
  });

  it.each([
    ['a malformed email', 'email:not an email', {}, 'rejected', 'TSR_PRIVACY_INVALID_IDENTIFIER'],
    ['an empty request id', 'user_id:u1', { requestId: '' }, 'rejected', 'TSR_PRIVACY_BAD_REQUEST'],
    ['no requester', 'user_id:u1', { requestedBy: ' ' }, 'rejected', 'TSR_PRIVACY_BAD_REQUEST'],
    ['an unknown identifier', 'user_id:ghost', {}, 'unknown', 'TSR_PRIVACY_UNKNOWN_IDENTIFIER'],
  ] as const)('answers %s and changes nothing else', (_, subject, o, outcome, code) => {
    const s = fresh();
    processor.process(s, claims(...bridge));
    const before = s.graph.changelog();
    const out = processor.process(s, [request(subject, o)]);
    expect(out.outputs.map((x) => x.topic)).toEqual([topics.privacyAudit]);
    expect(audits(out.outputs)).toEqual([expect.objectContaining({ outcome, code, final: true })]);
    expect(s.graph.changelog()).toEqual(before);
    expect(s.suppression.size).toBe(0);
  });

  it('answers a replayed request as a duplicate and a second request as already erased, changing nothing', () => {
    const s = fresh();
    processor.process(s, claims(...bridge));
    processor.process(s, [request('user_id:u1')]);
    const before = s.graph.changelog();
    const again = processor.process(s, [request('user_id:u1'), request('user_id: u1 ', { requestId: 'r2' })]);
    expect(audits(again.outputs).map((a) => [a.requestId, a.outcome, a.code])).toEqual([
      ['r1', 'duplicate', 'TSR_PRIVACY_DUPLICATE_REQUEST'], ['r2', 'already_erased', 'TSR_PRIVACY_ALREADY_ERASED'],
    ]);
    expect(again.outputs.map((x) => x.topic)).toEqual([topics.privacyAudit, topics.privacyAudit]);
    expect(s.graph.changelog()).toEqual(before);
  });

  it('passes export requests through (the export command reads ClickHouse)', () => {
    const s = fresh();
    processor.process(s, claims(...bridge));
    expect(processor.process(s, [request('user_id:u1', { kind: 'export' })]).outputs).toEqual([]);
  });

  const idArb = fc.constantFrom('user_id:u1', 'user_id:u2', 'anonymous_id:a1', 'anonymous_id:a2', 'anonymous_id:a3', 'email:e1@x.io', 'device_id:d1');
  const claimsArb = fc.array(fc.record({ ids: fc.uniqueArray(idArb, { minLength: 1, maxLength: 3 }), t: fc.integer({ min: 0, max: 20 }), m: fc.constantFrom('m1', 'm2', 'm3', 'm4') }), { minLength: 1, maxLength: 20 });
  const toClaims = (cs: { ids: string[]; t: number; m: string }[]) => cs.map((c) => claim(c.m, c.t, ...c.ids));

  it('an erased graph equals the pure resolve() of the claims without the identifier, and a replay from offset 0 changes nothing (property)', () => {
    fc.assert(fc.property(claimsArb, idArb, (raw, erased) => {
      const cs = toClaims(raw);
      const live = fresh();
      processor.process(live, claims(...cs));
      const erasure = processor.process(live, [request(erased)]);
      const list = live.suppression;
      const stripped = cs.map((c) => stripClaim(c, list).claim).filter((c): c is Claim => c !== null);
      expect(live.graph.profiles()).toEqual(resolve(stripped, defaultIdentityConfig));
      // Replay: a new owner restores the changelog and the list, then reads every claim again from offset 0.
      const replay: LinkState = { ...fresh(), graph: IdentityGraph.restore(live.graph.changelog(), defaultIdentityConfig), suppression: list };
      const out = processor.process(replay, claims(...cs));
      expect(replay.graph.profiles()).toEqual(live.graph.profiles());
      expect(mentions(out.outputs, ident(erased).value)).toEqual([]);
      // A fresh graph fed the same claims with the list gives the same profiles too (a new consumer group).
      const scratch: LinkState = { ...fresh(), suppression: list };
      processor.process(scratch, claims(...cs));
      expect(scratch.graph.profiles()).toEqual(live.graph.profiles());
      // The claims topic after the erasure (the earliest event per claim, then the erasure's tombstones and stripped
      // claims) read from offset 0 by a fresh graph gives the same profiles too.
      const topic = new Map<string, Claim>();
      for (const c of cs) {
        const k = claimKey(c.identifiers);
        const had = topic.get(k);
        if (!had || c.eventTime < had.eventTime || (c.eventTime === had.eventTime && c.messageId < had.messageId)) topic.set(k, c);
      }
      for (const o of on(erasure.outputs, topics.claims)) {
        if (o.value === null) topic.delete(o.key); else topic.set(o.key, o.value as Claim);
      }
      const fromTopic: LinkState = { ...fresh(), suppression: list };
      processor.process(fromTopic, claims(...topic.values()));
      expect(fromTopic.graph.profiles()).toEqual(live.graph.profiles());
      expect([...topic.values()].filter((c) => c.identifiers.some((i) => `${i.type}:${i.value}` === erased))).toEqual([]);
      const published = on(out.outputs, topics.profiles).map((o) => o.value as ProfileRecord | null);
      expect(published.every((p) => p === null || p.identifiers.every((i) => `${i.type}:${i.value}` !== erased))).toBe(true);
    }), { numRuns: 200 });
  });
});

describe('suppression list', () => {
  it('strips erased identifiers from a claim, keeping its event, and drops a claim left empty', () => {
    const list = new SuppressionList(KEY);
    const c: ClaimRecord = { ...claim('m1', 1, 'email:e@x.io', 'user_id:u1'), blocked: [ident('anonymous_id:unknown')] };
    expect(stripClaim(c, list)).toEqual({ claim: c, removed: 0 });
    list.add({ hash: list.hashOf(ident('email:e@x.io')), identifierType: 'email', requestId: 'r', requestedBy: 'o', requestedAt: 0, claimsDropped: 1, profilesChanged: 1 });
    expect(stripClaim(c, list)).toEqual({ claim: { messageId: 'm1', eventTime: 1, identifiers: [ident('user_id:u1')], blocked: [ident('anonymous_id:unknown')] }, removed: 1 });
    expect(stripClaim(claim('m2', 2, 'email:e@x.io'), list)).toEqual({ claim: null, removed: 1 });
    // Same text under another type is another identifier.
    expect(list.has(ident('user_id:e@x.io'))).toBe(false);
  });
});
