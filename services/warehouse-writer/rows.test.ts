import { describe, expect, it } from 'vitest';
import type { IdentityChangeRecord, LinkedIdentifierRecord, ProfileRecord, ResolvedEvent } from '../kit/records.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { anchorOf, eventRow, identityChangeRows, profileRows, resolvedRows, sessionKey } from './rows.ts';

const at = { topic: 't.profiles', partition: 2, offset: '41' };
const src = { src_topic: 't.profiles', src_partition: 2, src_offset: '41' };

const tp = (o: Partial<Touchpoint> = {}): Touchpoint => ({
  messageId: 'm1', type: 'track', event: 'Order Completed', name: null, userId: 'u1', anonymousId: 'a1', previousId: null,
  groupId: null, timestamp: Date.UTC(2026, 0, 1, 12), sentAt: null, receivedAt: null, source: 'web', context: null,
  traits: {}, properties: {}, externalIds: [], ...o,
});
const resolved = (o: Partial<ResolvedEvent> = {}): ResolvedEvent => ({
  touchpoint: tp(), profileId: 'p1', primaryIdentifier: { type: 'user_id', value: 'u1' },
  identifiers: [{ type: 'user_id', value: 'u1' }, { type: 'anonymous_id', value: 'a1' }], dropped: [], refusals: [], resolvedAt: 0, ...o,
});
const linked = (type: string, value: string, eventTime: number, messageId = 'm'): LinkedIdentifierRecord => ({ type, value, messageId, eventTime });
const profile = (o: Partial<ProfileRecord> = {}): ProfileRecord => ({
  profileId: 'p1', state: 'active', mergedInto: null,
  identifiers: [linked('user_id', 'u1', 2000, 'm2'), linked('anonymous_id', 'a1', 1000, 'm1')],
  firstSeen: 1000, lastSeen: 5000, version: 7, ...o,
});
const change = (o: Partial<IdentityChangeRecord> = {}): IdentityChangeRecord => ({
  kind: 'merge', fromProfileId: 'p2', intoProfileId: 'p1', identifier: null, messageId: 'm9', eventTime: 9000, version: 12, ...o,
});

describe('eventRow', () => {
  it('maps the primary identifier, linked identifiers, refusals and drops', () => {
    const row = eventRow(resolved({
      refusals: [{ identifier: { type: 'email', value: 'x@y.z' }, code: 'LIMIT_EXCEEDED', reason: 'r', profileId: 'p9' }],
      dropped: [{ type: 'email', code: 'BLOCKED', reason: 'test address' }, { type: 'phone', code: 'INVALID', reason: 'r' }],
    }), at);
    expect(row).toMatchObject({
      message_id: 'm1', profile_id: 'p1', id_type: 'user_id', id_value: 'u1', identifiers: ['user_id:u1', 'anonymous_id:a1'],
      refused: ['email:x@y.z'], refusal_codes: ['LIMIT_EXCEEDED'], dropped_types: ['email', 'phone'], dropped_codes: ['BLOCKED', 'INVALID'],
      event_time: Date.UTC(2026, 0, 1, 12) / 1000, ...src,
    });
  });
  it.each([
    ['an unresolved event', resolved({ profileId: null, primaryIdentifier: null, identifiers: [] }), { profile_id: '', id_type: '', id_value: '' }],
    ['revenue that is not a number', resolved({ touchpoint: tp({ properties: { revenue: '12' } }) }), { revenue: 0 }],
    ['traits from context and call, call wins', resolved({ touchpoint: tp({ traits: { plan: 'pro' }, context: { ip: null, userAgent: null, locale: null, timezone: null, page: null, campaign: null, device: null, os: null, app: null, location: null, traits: { plan: 'free', age: 3 } } }) }),
      { trait_keys: ['age', 'plan'], trait_values: ['3', 'pro'] }],
  ])('handles %s', (_name, r, expected) => expect(eventRow(r, at)).toMatchObject(expected));
  it('resolvedRows puts the row in events only', () => {
    expect(resolvedRows(resolved(), at)).toEqual({ ok: true, rows: { events: [eventRow(resolved(), at)] } });
  });
});

describe('sessionKey', () => {
  it.each([
    [tp({ properties: { session_id: 'S' } }), 's:S'],
    [tp({ anonymousId: 'a1', timestamp: 30 * 60 * 1000 * 3 + 5 }), 'w:a1:3'],
    [tp({ anonymousId: null, userId: null, messageId: 'mx', timestamp: 0 }), 'w:mx:0'],
  ])('%#: %s', (t, expected) => expect(sessionKey(t)).toBe(expected));
});

describe('anchorOf', () => {
  it.each([
    ['earliest event time', [linked('a', '2', 2), linked('b', '1', 1)], 'b:1'],
    ['ties broken by messageId', [linked('a', '1', 1, 'm2'), linked('b', '1', 1, 'm1')], 'b:1'],
    ['then type', [linked('z', '1', 1, 'm'), linked('a', '9', 1, 'm')], 'a:9'],
    ['then value', [linked('a', '9', 1, 'm'), linked('a', '1', 1, 'm')], 'a:1'],
  ])('%s', (_n, ids, expected) => {
    const a = anchorOf(ids);
    expect(`${a?.type}:${a?.value}`).toBe(expected);
    expect(anchorOf([...ids].reverse())).toEqual(a);
  });
  it('is null for no identifiers', () => expect(anchorOf([])).toBeNull());
});

describe('profileRows', () => {
  it('maps an active profile to a profile row, one identity per identifier, and its anchor', () => {
    const m = profileRows('p1', profile(), '7', at);
    expect(m).toEqual({
      ok: true,
      rows: {
        profiles: [{ profile_id: 'p1', state: 'active', merged_into: '', id_types: ['anonymous_id', 'user_id'], id_values: ['a1', 'u1'], identifier_count: 2, first_seen: 1, last_seen: 5, version: '7', ...src }],
        identities: [
          { id_type: 'anonymous_id', id_value: 'a1', profile_id: 'p1', message_id: 'm1', linked_at: 1, version: '7', ...src },
          { id_type: 'user_id', id_value: 'u1', profile_id: 'p1', message_id: 'm2', linked_at: 2, version: '7', ...src },
        ],
        profile_anchors: [{ profile_id: 'p1', id_type: 'anonymous_id', id_value: 'a1', ...src }],
      },
    });
  });
  it('maps a merged profile to a pointer row only (its identifiers are written by the survivor)', () => {
    const m = profileRows('p2', profile({ profileId: 'p2', state: 'merged', mergedInto: 'p1', identifiers: [], version: 8 }), '8', at);
    expect(m.ok && Object.keys(m.rows)).toEqual(['profiles']);
    expect(m.ok && m.rows.profiles?.[0]).toMatchObject({ profile_id: 'p2', state: 'merged', merged_into: 'p1', version: '8' });
  });
  it('maps a tombstone to a deleted row, versioned by the header (precision kept above 2^53)', () => {
    const m = profileRows('p3', null, '123456789012345678', at);
    expect(m).toEqual({ ok: true, rows: { profiles: [{ profile_id: 'p3', state: 'deleted', merged_into: '', id_types: [], id_values: [], identifier_count: 0, first_seen: 0, last_seen: 0, version: '123456789012345678', ...src }] } });
  });
  it.each([
    ['a tombstone without a version header', 'p3', null, null],
    ['a tombstone with a bad version header', 'p3', null, '12x'],
    ['a tombstone without a key', null, null, '5'],
    ['a profile with a negative version', 'p1', profile({ version: -1 }), '-1'],
  ])('refuses %s', (_n, key, value, header) => {
    expect(profileRows(key, value, header, at)).toMatchObject({ ok: false, code: 'TSR_DLQ_INVALID_RECORD' });
  });
});

describe('identityChangeRows', () => {
  it('logs a merge', () => {
    expect(identityChangeRows(change(), at)).toEqual({ ok: true, rows: { identity_changes: [{
      kind: 'merge', from_profile: 'p2', into_profile: 'p1', id_type: '', id_value: '', message_id: 'm9', event_time: 9, event_ms: 9000, version: '12', ...src,
    }] } });
  });
  it('logs a move between profiles without touching identities (the profile records carry it)', () => {
    const m = identityChangeRows(change({ kind: 'move', identifier: { type: 'email', value: 'e@x' } }), at);
    expect(m.ok && Object.keys(m.rows)).toEqual(['identity_changes']);
  });
  it('turns an erasure (move to nobody) into an erased identity', () => {
    const m = identityChangeRows(change({ kind: 'move', intoProfileId: null, identifier: { type: 'email', value: 'e@x' } }), at);
    expect(m.ok && m.rows.identities).toEqual([{ id_type: 'email', id_value: 'e@x', profile_id: '', message_id: 'm9', linked_at: 9, version: '12', ...src }]);
  });
  it('refuses a move without an identifier', () => {
    expect(identityChangeRows(change({ kind: 'move' }), at)).toMatchObject({ ok: false, code: 'TSR_DLQ_INVALID_RECORD' });
  });
});
