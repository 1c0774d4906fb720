import { describe, expect, it } from 'vitest';
import { context, device, touchpoint } from '../../test/support/builders.ts';
import { compareTypes, segmentDefaults, segmentIdentifiers, SegmentProfiles, segmentUnify, type SegmentIdentifier } from './segment.ts';

const id = (spec: string): SegmentIdentifier => ({ type: spec.slice(0, spec.indexOf(':')), value: spec.slice(spec.indexOf(':') + 1) });
const ids = (...specs: string[]) => specs.map(id);

describe('segmentIdentifiers', () => {
  it('promotes userId, anonymousId, email traits, the phone trait, app device ids by platform and externalIds, lower-cased', () => {
    const t = touchpoint({
      userId: 'U1', anonymousId: 'C1', traits: { email: 'Ana@X.io', phone: '07400 123456' },
      context: context({ os: { name: 'iOS', version: null }, device: device({ id: 'IDFV-1', advertisingId: 'IDFA-1', type: 'mobile' }), traits: { email: 'ana@x.io' } }),
      externalIds: [{ type: 'CRM_ID', id: 'Crm-9', collection: 'users' }, { type: 'account_id', id: 'a1', collection: 'accounts' }],
    });
    expect(segmentIdentifiers(t)).toEqual(ids('user_id:u1', 'anonymous_id:c1', 'email:ana@x.io', 'phone:07400 123456', 'ios.id:idfv-1', 'ios.idfa:idfa-1', 'crm_id:crm-9'));
  });

  it.each([['null'], ['-1'], ['anonymous'], ['0'], ['00000000-0000-0000-0000-000000000000'], ['---'], ['']])('blocks the suggested value %j', (v) => {
    expect(segmentIdentifiers(touchpoint({ anonymousId: v }))).toEqual([]);
  });

  it('does not block what Segment does not suggest, and does not trim or normalise values', () => {
    expect(segmentIdentifiers(touchpoint({ anonymousId: 'unknown', traits: { email: ' ana@x.io ' } }))).toEqual(ids('anonymous_id:unknown', 'email: ana@x.io '));
  });
});

describe('compareTypes', () => {
  it('ranks user_id, then email, then every other type alphabetically', () => {
    const types = ['phone', 'anonymous_id', 'ios.id', 'email', 'crm_id', 'user_id', 'android.idfa', 'android.id'];
    expect([...types].sort(compareTypes(segmentDefaults))).toEqual(['user_id', 'email', 'android.id', 'android.idfa', 'anonymous_id', 'crm_id', 'ios.id', 'phone']);
  });
});

describe('SegmentProfiles', () => {
  it('the documented example: a new user_id with a known email demotes the email and creates a new profile', () => {
    const s = new SegmentProfiles();
    const jane = s.apply(ids('user_id:abc123', 'email:jane@example1.com'));
    const next = s.apply(ids('user_id:abc456', 'email:jane@example1.com'));
    expect(next.demoted).toEqual(ids('email:jane@example1.com'));
    expect(next.profile).not.toBe(jane.profile);
    expect(s.apply(ids('email:jane@example1.com')).profile).toBe(jane.profile);
  });

  it('first come: a shared cookie stays with the first user; the second user\'s login drops the cookie link', () => {
    const s = new SegmentProfiles();
    const a = s.apply(ids('user_id:u1', 'anonymous_id:pc')).profile;
    const b = s.apply(ids('user_id:u2', 'anonymous_id:pc'));
    expect(b.demoted).toEqual(ids('anonymous_id:pc'));
    expect(b.profile).not.toBe(a);
    expect(s.apply(ids('anonymous_id:pc')).profile).toBe(a); // the second person's browsing goes to the first
  });

  it('merges the profiles an event joins when no limit is exceeded', () => {
    const s = new SegmentProfiles();
    const cookie = s.apply(ids('anonymous_id:c1')).profile!;
    const user = s.apply(ids('user_id:u1')).profile!;
    const joined = s.apply(ids('user_id:u1', 'anonymous_id:c1')).profile!;
    expect(s.current(cookie)).toBe(joined);
    expect(s.current(user)).toBe(joined);
  });

  it('refuses a sixth anonymous_id ("5 ever"): the sixth cookie\'s browsing stays apart from the user', () => {
    const s = new SegmentProfiles();
    for (let i = 1; i <= 5; i++) s.apply(ids('user_id:u1', `anonymous_id:c${i}`));
    const sixth = s.apply(ids('anonymous_id:c6')).profile!;
    const login = s.apply(ids('user_id:u1', 'anonymous_id:c6'));
    expect(login.demoted).toEqual(ids('anonymous_id:c6'));
    expect(s.current(sixth)).not.toBe(login.profile);
  });

  it('demotes the lowest-priority identifier first: the cookie before the email', () => {
    const s = new SegmentProfiles();
    s.apply(ids('user_id:u1', 'anonymous_id:pc'));
    const step = s.apply(ids('user_id:u2', 'email:b@x.io', 'anonymous_id:pc'));
    expect(step.demoted).toEqual(ids('anonymous_id:pc'));
    expect(s.apply(ids('email:b@x.io')).profile).toBe(step.profile);
  });
});

describe('segment resolver', () => {
  it('depends on arrival order: the anonymous events of a shared cookie follow whoever logged in first', () => {
    const a = touchpoint({ messageId: 'a', type: 'identify', userId: 'u1', anonymousId: 'pc' });
    const b = touchpoint({ messageId: 'b', type: 'identify', userId: 'u2', anonymousId: 'pc' });
    const browse = touchpoint({ messageId: 'x', type: 'page', anonymousId: 'pc' });
    const ab = segmentUnify().resolve([a, b, browse]);
    const ba = segmentUnify().resolve([b, a, browse]);
    expect(ab.get('x')).toBe(ab.get('a'));
    expect(ba.get('x')).toBe(ba.get('b'));
  });
});
