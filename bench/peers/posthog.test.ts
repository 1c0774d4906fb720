import { describe, expect, it } from 'vitest';
import { touchpoint } from '../../test/support/builders.ts';
import { isDistinctIdIllegal, posthog, PostHogPersons, toPostHog, type PostHogEvent } from './posthog.ts';

const capture = (distinctId: string): PostHogEvent => ({ kind: 'capture', distinctId });
const identify = (distinctId: string, anon: string): PostHogEvent => ({ kind: 'merge', event: '$identify', distinctId, other: anon });

/** Applies events in order; returns the refusals and the persons. */
function run(...events: PostHogEvent[]): { persons: PostHogPersons; refusals: (string | null)[] } {
  const persons = new PostHogPersons();
  return { persons, refusals: events.map((e) => persons.apply(e)) };
}

describe('toPostHog (PostHog\'s Segment destination mapping)', () => {
  it.each([
    { name: 'a logged-in page view is captured under the user id', t: touchpoint({ type: 'page', userId: 'u1', anonymousId: 'c1' }), expected: capture('u1') },
    { name: 'an anonymous page view is captured under the cookie', t: touchpoint({ type: 'page', anonymousId: 'c1' }), expected: capture('c1') },
    { name: 'identify with both ids is $identify with $anon_distinct_id', t: touchpoint({ type: 'identify', userId: 'u1', anonymousId: 'c1' }), expected: identify('u1', 'c1') },
    { name: 'identify without a user id is a $set on the cookie', t: touchpoint({ type: 'identify', anonymousId: 'c1' }), expected: capture('c1') },
    { name: 'alias is $create_alias with alias = previousId', t: touchpoint({ type: 'alias', userId: 'u1', previousId: 'c0' }), expected: { kind: 'merge', event: '$create_alias', distinctId: 'u1', other: 'c0' } },
    { name: 'an event known only by an email has no distinct_id', t: touchpoint({ traits: { email: 'a@b.io' } }), expected: null },
  ])('$name', ({ t, expected }) => {
    expect(toPostHog(t)).toEqual(expected);
  });
});

describe('isDistinctIdIllegal (PostHog\'s lists)', () => {
  it.each([
    ['anonymous', true], ['Guest', true], ['"undefined"', true], ["'distinct_id'", true], ['  ', true], ['0', true],
    ['null', true], ['NULL', false], ['NaN', true], ['nan', false], ['None', true], ['usr_1', false], ['c1f0a', false],
  ])('%j → %s', (id, illegal) => {
    expect(isDistinctIdIllegal(id)).toBe(illegal);
  });
});

describe('PostHogPersons', () => {
  it('merges the anonymous person into the user on $identify, and marks it identified', () => {
    const { persons, refusals } = run(capture('c1'), capture('c1'), identify('u1', 'c1'), capture('u1'));
    expect(refusals).toEqual([null, null, null, null]);
    expect(persons.personOf('c1')).toBe(persons.personOf('u1'));
    expect(persons.isIdentified('c1')).toBe(true);
  });

  it('refuses to merge two identified persons ($identify guard): the second user keeps the event, the cookie stays', () => {
    const { persons, refusals } = run(identify('u1', 'c1'), identify('u2', 'c2'), identify('u2', 'c1'));
    expect(refusals[2]).toBe('already_identified');
    expect(persons.personOf('c1')).toBe(persons.personOf('u1'));
    expect(persons.personOf('u2')).not.toBe(persons.personOf('u1'));
    expect(persons.isIdentified('u2')).toBe(true);
  });

  it('adds a second user to the first one\'s person when the second has no person yet (a shared computer\'s cookie)', () => {
    const { persons, refusals } = run(identify('u1', 'pc'), capture('pc'), identify('u2', 'pc'));
    expect(refusals).toEqual([null, null, null]);
    expect(persons.personOf('u2')).toBe(persons.personOf('u1'));
  });

  it('keeps them apart when the second user already has a person (e.g. a server-side order came first)', () => {
    const { persons, refusals } = run(identify('u1', 'pc'), capture('u2'), identify('u2', 'pc'));
    expect(refusals[2]).toBe('already_identified');
    expect(persons.personOf('u2')).not.toBe(persons.personOf('u1'));
  });

  it('merges an unidentified person into an identified one (the anonymous side is the one merged away)', () => {
    const { persons, refusals } = run(identify('u1', 'c1'), capture('c2'), identify('u1', 'c2'));
    expect(refusals[2]).toBeNull();
    expect(persons.personOf('c2')).toBe(persons.personOf('u1'));
  });

  it('never merges an illegal distinct id, but events under it still share one person', () => {
    const { persons, refusals } = run(capture('null'), identify('u1', 'null'), capture('null'), identify('u2', 'null'));
    expect(refusals).toEqual([null, 'illegal_distinct_id', null, 'illegal_distinct_id']);
    expect(persons.personOf('u1')).not.toBe(persons.personOf('null'));
    expect(persons.personOf('u2')).not.toBe(persons.personOf('u1'));
    expect(persons.isIdentified('u1')).toBe(false);
  });

  it('creates one identified person when neither distinct id was seen', () => {
    const { persons } = run(identify('u1', 'c1'));
    expect(persons.personOf('c1')).toBe(persons.personOf('u1'));
    expect(persons.isIdentified('u1')).toBe(true);
  });
});

describe('posthog resolver', () => {
  it('depends on arrival order: whether the second user on a shared computer is glued to the first', () => {
    const a = touchpoint({ messageId: 'a', type: 'identify', userId: 'u1', anonymousId: 'pc' });
    const b = touchpoint({ messageId: 'b', type: 'page', anonymousId: 'pc' });
    const c = touchpoint({ messageId: 'c', type: 'identify', userId: 'u2', anonymousId: 'pc' });
    const d = touchpoint({ messageId: 'd', type: 'track', event: 'Order Completed', userId: 'u2' });
    const inOrder = posthog().resolve([a, b, c, d]);
    const serverFirst = posthog().resolve([d, a, b, c]);
    expect(inOrder.get('c')).toBe(inOrder.get('a')); // u2 joined u1's person
    expect(serverFirst.get('c')).not.toBe(serverFirst.get('a')); // u2 already had a person: pc's identified person is not merged
  });

  it('leaves an event without a distinct id alone', () => {
    expect(posthog().resolve([touchpoint({ messageId: 'x', traits: { email: 'a@b.io' } })]).get('x')).toBeNull();
  });
});
