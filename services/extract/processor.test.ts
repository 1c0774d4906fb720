import { describe, expect, it } from 'vitest';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { claimKey, defaultIdentityConfig, IdentityGraph } from '../identity/index.ts';
import type { ClaimRecord } from '../kit/records.ts';
import type { InputRecord } from '../kit/stage/types.ts';
import { context, device, touchpoint } from '../../test/support/builders.ts';
import { ClaimCache } from './cache.ts';
import { extractProcessor } from './processor.ts';

const processor = extractProcessor({ identity: defaultIdentityConfig, claimsTopic: 'p.claims' });
const at = (ts: Touchpoint[]): InputRecord<Touchpoint>[] => ts.map((value, i) => ({ topic: 'p.touchpoints', partition: 0, offset: String(i), key: null, value }));
const T0 = Date.UTC(2026, 0, 1);

describe('extract processor', () => {
  it.each([
    ['a new claim is published under its claim key, identifiers sorted',
      [touchpoint({ messageId: 'a', timestamp: T0, userId: 'u1', anonymousId: 'c1' })],
      [['a', T0, 'anonymous_id:c1 user_id:u1']], { claimsPublished: 1 }],
    ['a repeat in the batch publishes once',
      [touchpoint({ messageId: 'a', timestamp: T0, anonymousId: 'c1' }), touchpoint({ messageId: 'b', timestamp: T0 + 1, anonymousId: 'c1' })],
      [['a', T0, 'anonymous_id:c1']], { claimsPublished: 1, repeats: 1 }],
    ['an earlier event in the batch wins: one record, the earliest',
      [touchpoint({ messageId: 'b', timestamp: T0 + 1, anonymousId: 'c1' }), touchpoint({ messageId: 'a', timestamp: T0, anonymousId: 'c1' })],
      [['a', T0, 'anonymous_id:c1']], { claimsPublished: 1, earlierRepeats: 1 }],
    ['the same identifiers in another order, or repeated, are the same claim',
      [touchpoint({ messageId: 'a', timestamp: T0, userId: 'u1', traits: { email: 'Ann@Mail.org' } }),
        touchpoint({ messageId: 'b', timestamp: T0 + 1, traits: { email: 'ann@mail.org' }, context: context({ traits: { email: 'ann@mail.org' } }), externalIds: [], userId: 'u1' })],
      [['a', T0, 'email:ann@mail.org user_id:u1']], { claimsPublished: 1, repeats: 1 }],
    // A blocked value stays in its claim, never linking, so that un-blocking it by a rule change can link it.
    ['a placeholder-only touchpoint publishes a claim holding only its blocked value',
      [touchpoint({ messageId: 'a', timestamp: T0, traits: { email: 'test@test.com' } })],
      [['a', T0, ' | blocked email:test@test.com']], { claimsPublished: 1, droppedIdentifiers: 1 }],
    ['a touchpoint whose identifiers are all invalid publishes nothing',
      [touchpoint({ messageId: 'a', traits: { email: 'not-an-email' } })],
      [], { noIdentifier: 1, droppedIdentifiers: 1 }],
    ['distinct identifier sets are distinct claims',
      [touchpoint({ messageId: 'a', timestamp: T0, anonymousId: 'c1' }), touchpoint({ messageId: 'b', timestamp: T0, anonymousId: 'c1', context: context({ device: device({ id: 'd1' }) }) })],
      [['a', T0, 'anonymous_id:c1'], ['b', T0, 'anonymous_id:c1 device_id:d1']], { claimsPublished: 2 }],
  ] as [string, Touchpoint[], [string, number, string][], Record<string, number>][])('%s', (_name, input, expected, tally) => {
    const out = processor.process(new ClaimCache(100), at(input));
    const got = out.outputs.map((o) => {
      const v = o.value as ClaimRecord;
      expect(o.key).toBe(claimKey(v.identifiers, v.blocked));
      expect(o.topic).toBe('p.claims');
      const blocked = (v.blocked ?? []).map((i) => `${i.type}:${i.value}`).join(' ');
      return [v.messageId, v.eventTime, v.identifiers.map((i) => `${i.type}:${i.value}`).join(' ') + (blocked ? ` | blocked ${blocked}` : '')];
    });
    expect(got).toEqual(expected);
    expect(out.deadLetters).toEqual([]);
    expect(out.tally).toMatchObject(tally);
  });

  it('sends an invalid touchpoint to the DLQ with the validation reason and publishes nothing for it', () => {
    const out = processor.process(new ClaimCache(100), at([touchpoint({ messageId: 'bad', type: 'track', event: null, anonymousId: 'c1' })]));
    expect(out.outputs).toEqual([]);
    expect(out.deadLetters).toEqual([{ source: expect.objectContaining({ offset: '0' }), code: 'TSR_DLQ_INVALID', reason: expect.stringContaining('a track call needs an event name') }]);
    expect(out.tally.invalid).toBe(1);
  });

  it('remembers across batches: a later repeat publishes nothing, an earlier event publishes again', () => {
    const cache = new ClaimCache(100);
    processor.process(cache, at([touchpoint({ messageId: 'b', timestamp: T0 + 10, anonymousId: 'c1' })]));
    expect(processor.process(cache, at([touchpoint({ messageId: 'c', timestamp: T0 + 20, anonymousId: 'c1' })])).outputs).toEqual([]);
    const earlier = processor.process(cache, at([touchpoint({ messageId: 'a', timestamp: T0, anonymousId: 'c1' })]));
    expect(earlier.outputs.map((o) => (o.value as ClaimRecord).messageId)).toEqual(['a']);
  });

  it.each([
    ['linkable identifiers', touchpoint({ messageId: 'a', userId: 'u1', anonymousId: 'c1', traits: { phone: '+44 20 7946 0958' } })],
    ['linkable and blocked values', touchpoint({ messageId: 'b', userId: 'u1', traits: { email: 'test@test.com' } })],
  ])('keys a claim as the identity graph keys its changelog record: %s', (_name, t) => {
    const out = processor.process(new ClaimCache(100), at([t]));
    const claim = out.outputs[0]!.value as ClaimRecord;
    const step = new IdentityGraph(defaultIdentityConfig).apply(claim);
    expect(step.changelog.map((c) => c.key)).toEqual([out.outputs[0]!.key]);
    expect(step.changelog[0]!.value!.identifiers).toEqual(claim.identifiers);
    expect(step.changelog[0]!.value!.blocked ?? []).toEqual(claim.blocked);
  });
});

describe('extract processor: consent', () => {
  const p = extractProcessor({ identity: defaultIdentityConfig, claimsTopic: 'p.claims', consentTopic: 'p.consent' });
  const c = (advertising: boolean, analytics: boolean): NonNullable<Touchpoint['consent']> => ({ advertising, analytics, personalisation: true, categories: {} });
  const consentOut = (out: ReturnType<typeof p.process>) => out.outputs.filter((x) => x.topic === 'p.consent').map((x) => {
    const v = x.value as { messageId: string; advertising: boolean; analytics: boolean };
    return `${v.messageId}:${+v.advertising}${+v.analytics}`;
  });

  it.each([
    ['a claim\'s first consent is published', [touchpoint({ messageId: 'a', timestamp: T0, userId: 'u1', consent: c(true, true) })], ['a:11']],
    ['the same consent again publishes nothing', [touchpoint({ messageId: 'a', timestamp: T0, userId: 'u1', consent: c(true, true) }), touchpoint({ messageId: 'b', timestamp: T0 + 1, userId: 'u1', consent: c(true, true) })], ['a:11']],
    ['a later withdrawal is published', [touchpoint({ messageId: 'a', timestamp: T0, userId: 'u1', consent: c(true, true) }), touchpoint({ messageId: 'b', timestamp: T0 + 1, userId: 'u1', consent: c(false, true) })], ['a:11', 'b:01']],
    ['an earlier event never overrides a later consent', [touchpoint({ messageId: 'b', timestamp: T0 + 1, userId: 'u1', consent: c(false, true) }), touchpoint({ messageId: 'a', timestamp: T0, userId: 'u1', consent: c(true, true) })], ['b:01']],
    ['an event that says nothing publishes no consent', [touchpoint({ messageId: 'a', timestamp: T0, userId: 'u1' })], []],
  ] as [string, Touchpoint[], string[]][])('%s', (_name, input, expected) => {
    const out = p.process(new ClaimCache(100), at(input));
    expect(consentOut(out)).toEqual(expected);
    expect(out.outputs.filter((x) => x.topic === 'p.consent').every((x) => x.key === claimKey([{ type: 'user_id', value: 'u1' }]))).toBe(true);
  });

  it('a consent update naming no identifier that can be linked goes to the DLQ with the reason; the stream goes on', () => {
    const update = touchpoint({ messageId: 'u', type: 'track', event: 'Segment Consent Preference Updated', traits: { email: 'not-an-email' }, consent: c(false, false) });
    const next = touchpoint({ messageId: 'n', timestamp: T0, userId: 'u2', consent: c(true, true) });
    const out = p.process(new ClaimCache(100), at([update, next]));
    expect(out.deadLetters.map((d) => [d.code, d.reason])).toEqual([['TSR_DLQ_CONSENT_NO_SUBJECT', expect.stringContaining('email: INVALID')]]);
    expect(consentOut(out)).toEqual(['n:11']);
    expect(out.tally).toMatchObject({ consentNoSubject: 1, consentPublished: 1 });
  });
});
