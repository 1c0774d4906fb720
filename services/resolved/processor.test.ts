import { SuppressionList } from '../privacy/suppression.ts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { ClaimCache } from '../extract/cache.ts';
import { extractProcessor } from '../extract/processor.ts';
import { defaultIdentityConfig, IdentityGraph } from '../identity/index.ts';
import type { ClaimRecord, ResolvedEvent } from '../kit/records.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { InputRecord } from '../kit/stage/types.ts';
import { topicNames } from '../kit/topics.ts';
import { linkProcessor, type LinkState } from '../link/processor.ts';
import { VersionClock } from '../link/version-clock.ts';
import { context, device, touchpoint } from '../../test/support/builders.ts';
import { expectedProfiles, feedTable } from '../../test/support/resolved.ts';
import { ParkedEvents } from './parked.ts';
import { resolvedProcessor, type Joinable, type ResolvedState } from './processor.ts';
import { ClaimProfileTable } from './table.ts';

const topics = topicNames('p.');
const T0 = Date.UTC(2026, 0, 1);
const MAX_PARK_MS = 60_000;
const processor = resolvedProcessor({ identity: defaultIdentityConfig, resolvedTopic: topics.resolved, maxParkMs: MAX_PARK_MS });

/** The link stage's real outputs for these touchpoints: extract → link, as the two processors compute them. */
function linker() {
  const extract = extractProcessor({ identity: defaultIdentityConfig, claimsTopic: topics.claims });
  const cache = new ClaimCache(1_000);
  let t = 0;
  const state: LinkState = { graph: new IdentityGraph(defaultIdentityConfig), versions: new VersionClock(() => ++t), suppression: new SuppressionList(Buffer.alloc(0)) };
  const link = linkProcessor(topics);
  return (ts: Touchpoint[]): KafkaOut[] => {
    const claims = extract.process(cache, at(ts)).outputs;
    const input: InputRecord<ClaimRecord>[] = claims.map((c, i) => ({ topic: topics.claims, partition: 0, offset: String(i), key: Buffer.from(c.key), value: c.value as ClaimRecord }));
    return link.process(state, input).outputs;
  };
}

let offset = 0;
const at = (ts: Touchpoint[], partition = 0): InputRecord<Touchpoint>[] => ts.map((value) => ({ topic: topics.touchpoints, partition, offset: String(offset++), key: null, value }));

function fresh(capacity = 100, clock = { t: T0 }): ResolvedState & { clock: { t: number } } {
  return { table: new ClaimProfileTable(), parked: new ParkedEvents<Joinable>(capacity), now: () => clock.t, checked: -1, clock };
}

const published = (outs: KafkaOut[]) => outs.map((o) => {
  const v = o.value as ResolvedEvent;
  return [v.touchpoint.messageId, v.profileId] as const;
});

describe('resolved-event processor', () => {
  it('publishes a touchpoint whose claim is linked at once, with the profile, primary and linked identifiers the tables give', () => {
    const s = fresh();
    const ada = touchpoint({ messageId: 'a1', userId: 'ada', anonymousId: 'c-ada', traits: { email: 'not-an-email' } });
    feedTable(s.table, linker()([ada]), topics);
    const out = processor.process(s, at([ada]));
    expect(out.outputs).toHaveLength(1);
    const o = out.outputs[0]!;
    const v = o.value as ResolvedEvent;
    expect(v.profileId).toMatch(/^p_/);
    expect(o.key).toBe(v.profileId);
    expect(o.topic).toBe(topics.resolved);
    expect(v.primaryIdentifier).toEqual({ type: 'user_id', value: 'ada' });
    expect(v.identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual(['anonymous_id:c-ada', 'user_id:ada']);
    expect(v.dropped.map((d) => [d.type, d.code])).toEqual([['email', 'INVALID']]);
    expect(v.resolvedAt).toBe(T0);
    expect(out.tally).toMatchObject({ published: 1, joinedAtOnce: 1, parked: 0 });
  });

  it.each([
    ['a touchpoint whose identifiers are all invalid goes out at once with no profile', touchpoint({ messageId: 'n1', traits: { email: 'not-an-email' } }), [['n1', null]], { noIdentifier: 1, published: 1 }],
    ['an invalid touchpoint is skipped (the extract stage dead-letters it)', touchpoint({ messageId: 'bad', type: 'track', event: null, anonymousId: 'c1' }), [], { skippedInvalid: 1, published: 0 }],
    ['a touchpoint whose claim is not linked yet waits', touchpoint({ messageId: 'w1', anonymousId: 'c-wait' }), [], { parked: 1, published: 0 }],
  ] as [string, Touchpoint, [string, string | null][], Record<string, number>][])('%s', (_name, t, expected, tally) => {
    const s = fresh();
    const out = processor.process(s, at([t]));
    expect(published(out.outputs)).toEqual(expected);
    expect(out.deadLetters).toEqual([]);
    expect(out.tally).toMatchObject(tally);
  });

  it('releases a parked touchpoint once its claim is linked: on the next punctuation, without new input', () => {
    const s = fresh();
    const link = linker();
    const t = touchpoint({ messageId: 'w1', anonymousId: 'c-wait', userId: 'wes' });
    expect(processor.process(s, at([t])).outputs).toEqual([]);
    expect(processor.punctuate(s).outputs).toEqual([]);
    feedTable(s.table, link([t]), topics);
    const out = processor.punctuate(s);
    expect(published(out.outputs)).toEqual([['w1', s.table.profileOf('user_id:wes')]]);
    expect(out.tally).toMatchObject({ released: 1, published: 1 });
    expect(s.parked.size).toBe(0);
  });

  it('releases the touchpoints of one claim in the order they were parked, before the new input', () => {
    const s = fresh();
    const link = linker();
    const [a, b, c] = ['x1', 'x2', 'x3'].map((m) => touchpoint({ messageId: m, anonymousId: 'c-x' }));
    processor.process(s, at([a!, b!]));
    feedTable(s.table, link([a!]), topics);
    expect(published(processor.process(s, at([c!])).outputs).map(([m]) => m)).toEqual(['x1', 'x2', 'x3']);
  });

  it('follows a merge: a touchpoint joined after it gets the survivor', () => {
    const s = fresh();
    const link = linker();
    const phone = touchpoint({ messageId: 'm1', anonymousId: 'c-phone', context: context({ device: device({ id: 'd-phone' }) }), timestamp: T0 + 2 });
    const login = touchpoint({ messageId: 'm2', anonymousId: 'c-web', userId: 'mia', timestamp: T0 + 1 });
    const both = touchpoint({ messageId: 'm3', anonymousId: 'c-phone', userId: 'mia', timestamp: T0 + 3 });
    feedTable(s.table, link([phone, login]), topics);
    const before = (processor.process(s, at([phone])).outputs[0]!.value as ResolvedEvent).profileId;
    feedTable(s.table, link([both]), topics);
    const after = (processor.process(s, at([phone])).outputs[0]!.value as ResolvedEvent).profileId;
    expect(after).not.toBe(before);
    expect(after).toBe(s.table.profileOf('user_id:mia'));
    expect(after).toBe(s.table.profileOf('device_id:d-phone'));
  });

  it('dead-letters the oldest parked touchpoint when the park is full, saying why and where to re-read it', () => {
    const s = fresh(2);
    const out = processor.process(s, at(['f1', 'f2', 'f3'].map((m) => touchpoint({ messageId: m, anonymousId: `c-${m}` }))));
    expect(out.outputs).toEqual([]);
    expect(out.deadLetters).toEqual([{ source: expect.objectContaining({ topic: topics.touchpoints }), code: 'TSR_DLQ_UNLINKED_CLAIM', reason: expect.stringMatching(/touchpoint f1 while 2 touchpoints were parked .*re-read p\.touchpoints\[0\]@\d+/) }]);
    expect(out.tally).toMatchObject({ parked: 3, unlinked: 1 });
    expect(s.parked.size).toBe(2);
  });

  it('dead-letters a parked touchpoint whose wait is over, and only that one', () => {
    const s = fresh();
    processor.process(s, at([touchpoint({ messageId: 'old', anonymousId: 'c-old' })]));
    s.clock.t += MAX_PARK_MS / 2;
    processor.process(s, at([touchpoint({ messageId: 'new', anonymousId: 'c-new' })]));
    s.clock.t += MAX_PARK_MS / 2;
    const out = processor.punctuate(s);
    expect(out.deadLetters.map((d) => [d.code, d.reason.includes('touchpoint old within 60000 ms')])).toEqual([['TSR_DLQ_UNLINKED_CLAIM', true]]);
    expect(s.parked.size).toBe(1);
  });

  // Touchpoints over a small identifier pool, so that claims repeat, merge and contest.
  const ids = { u: ['u1', 'u2', 'u3'], a: ['a1', 'a2', 'a3', 'a4'], d: ['d1', 'd2'] };
  const tp = fc.record({
    u: fc.option(fc.constantFrom(...ids.u), { nil: null }), a: fc.option(fc.constantFrom(...ids.a), { nil: null }),
    d: fc.option(fc.constantFrom(...ids.d), { nil: null }), t: fc.integer({ min: 0, max: 30 }),
  });
  const touchpoints = (specs: { u: string | null; a: string | null; d: string | null; t: number }[]) => specs.map((x, i) =>
    touchpoint({ messageId: `e${String(i).padStart(3, '0')}`, userId: x.u, anonymousId: x.a, timestamp: T0 + x.t * 1000, context: x.d ? context({ device: device({ id: x.d }) }) : null }));

  it('joins every touchpoint to the profile resolve() gives it, once the link stage has linked them all (property)', () => {
    fc.assert(fc.property(fc.array(tp, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 7 }), (specs, chunk) => {
      const ts = touchpoints(specs);
      const s = fresh(1_000);
      const link = linker();
      for (let i = 0; i < ts.length; i += chunk) feedTable(s.table, link(ts.slice(i, i + chunk)), topics);
      const outs: KafkaOut[] = [];
      for (let i = 0; i < ts.length; i += chunk) outs.push(...processor.process(s, at(ts.slice(i, i + chunk))).outputs);
      expect(new Map(published(outs))).toEqual(expectedProfiles(ts));
      expect(outs).toHaveLength(expectedProfiles(ts).size);
    }), { numRuns: 200 });
  });

  it('publishes every touchpoint exactly once however table records and touchpoints interleave, and loses none (property)', () => {
    fc.assert(fc.property(fc.array(tp, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 40 }), (specs, plan) => {
      const ts = touchpoints(specs);
      const s = fresh(1_000);
      const link = linker();
      const outs: KafkaOut[] = [];
      let linked = 0, joined = 0;
      // 0: the link stage links the next touchpoint's claim; 1: the stage gets the next touchpoint; 2: a punctuation.
      for (const step of plan) {
        if (step === 0 && linked < ts.length) feedTable(s.table, link([ts[linked++]!]), topics);
        else if (step === 1 && joined < ts.length) outs.push(...processor.process(s, at([ts[joined++]!])).outputs);
        else outs.push(...processor.punctuate(s).outputs);
      }
      feedTable(s.table, link(ts.slice(linked)), topics);
      outs.push(...processor.process(s, at(ts.slice(joined))).outputs, ...processor.punctuate(s).outputs);
      const ids = published(outs).map(([m]) => m);
      // Every valid touchpoint (one without an identifier is invalid: the extract stage dead-letters it).
      expect(ids.sort()).toEqual([...expectedProfiles(ts).keys()].sort());
      expect(s.parked.size).toBe(0);
      // Once linked, a touchpoint's profile is the one its claim's primary identifier had when it went out: after
      // the whole input, the profiles of the ones joined last agree with resolve().
      const last = processor.process(s, at(ts));
      expect(new Map(published(last.outputs))).toEqual(expectedProfiles(ts));
    }), { numRuns: 200 });
  });
});
