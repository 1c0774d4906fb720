import { describe, expect, it } from 'vitest';
import type { IdentityChangeRecord, IdentityClaimRecord, IdentityIdentifierRecord, LinkedIdentifierRecord, ProfileRecord } from '../kit/records.ts';
import { anchorOf, claimRows, identifierRows, identityChangeRows, profileRows } from './rows.ts';

const at = { topic: 't.profiles', partition: 2, offset: '41' };
const src = { src_topic: 't.profiles', src_partition: 2, src_offset: '41' };

const linked = (type: string, value: string, eventTime: number, messageId = 'm'): LinkedIdentifierRecord => ({ type, value, messageId, eventTime });
const profile = (o: Partial<ProfileRecord> = {}): ProfileRecord => ({
  profileId: 'p1', state: 'active', mergedInto: null,
  identifiers: [linked('user_id', 'u1', 2000, 'm2'), linked('anonymous_id', 'a1', 1000, 'm1')],
  firstSeen: 1000, lastSeen: 5000, version: 7, ...o,
});
const change = (o: Partial<IdentityChangeRecord> = {}): IdentityChangeRecord => ({
  kind: 'merge', fromProfileId: 'p2', intoProfileId: 'p1', identifier: null, messageId: 'm9', eventTime: 9000, version: 12, ...o,
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
  it('maps an active profile to a profile row and its anchor, and leaves identities to identity.identifiers', () => {
    const m = profileRows('p1', profile(), '7', at);
    expect(m).toEqual({
      ok: true,
      rows: {
        profiles: [{ profile_id: 'p1', state: 'active', merged_into: '', id_types: ['anonymous_id', 'user_id'], id_values: ['a1', 'u1'], identifier_count: 2, first_seen: 1, last_seen: 5, version: '7', ...src }],
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
  it.each([
    ['a move between profiles', change({ kind: 'move', identifier: { type: 'email', value: 'e@x' } })],
    ['an erasure (a move to nobody)', change({ kind: 'move', intoProfileId: null, identifier: { type: 'email', value: 'e@x' } })],
  ])('logs %s and leaves identities to identity.identifiers', (_n, record) => {
    const m = identityChangeRows(record, at);
    expect(m.ok && Object.keys(m.rows)).toEqual(['identity_changes']);
  });
  it('refuses a move without an identifier', () => {
    expect(identityChangeRows(change({ kind: 'move' }), at)).toMatchObject({ ok: false, code: 'TSR_DLQ_INVALID_RECORD' });
  });
});

const identifier = (o: Partial<IdentityIdentifierRecord> = {}): IdentityIdentifierRecord => ({
  type: 'device_id', value: 'd1', profileId: 'p1', messageId: 'm3', eventTime: 3500, version: 40, ...o,
});

describe('identifierRows', () => {
  it.each([
    ['a linked identifier', identifier(), { profile_id: 'p1', message_id: 'm3', linked_at: 3, version: '40' }],
    ['an identifier unlinked on purpose (a contested device)', identifier({ profileId: null, version: 41 }), { profile_id: '', version: '41' }],
  ])('maps %s to its identities row', (_n, record, expected) => {
    expect(identifierRows('device_id:d1', record, null, at)).toEqual({ ok: true, rows: { identities: [{ id_type: 'device_id', id_value: 'd1', message_id: 'm3', linked_at: 3, ...expected, ...src }] } });
  });
  it('unlinks on a tombstone keyed type:value (the value may hold colons)', () => {
    expect(identifierRows('crm_id:a:b', null, '42', at)).toEqual({ ok: true, rows: { identities: [{ id_type: 'crm_id', id_value: 'a:b', profile_id: '', message_id: '', linked_at: 0, version: '42', ...src }] } });
  });
  it.each([
    ['a tombstone without a version', 'email:x', null, null],
    ['a tombstone whose key is not type:value', 'nocolon', null, '5'],
    ['a record with a negative version', 'device_id:d1', identifier({ version: -3 }), null],
  ])('refuses %s', (_n, key, value, header) => {
    expect(identifierRows(key, value, header, at)).toMatchObject({ ok: false, code: 'TSR_DLQ_INVALID_RECORD' });
  });
});

const claimRecord = (o: Partial<IdentityClaimRecord> = {}): IdentityClaimRecord => ({
  claimKey: 'c_1', primaryType: 'user_id', primaryValue: 'u1', profileId: 'p1', messageId: 'm1', eventTime: 1500, version: 50, ...o,
});

describe('claimRows', () => {
  it.each([
    ['a claim with its primary identifier', claimRecord(), { primary_type: 'user_id', primary_value: 'u1', profile_id: 'p1' }],
    ['a claim with no linked identifier', claimRecord({ primaryType: null, primaryValue: null, profileId: null }), { primary_type: '', primary_value: '', profile_id: '' }],
    ['a claim with half a primary identifier (names none)', claimRecord({ primaryValue: null }), { primary_type: '', primary_value: '', profile_id: 'p1' }],
  ])('maps %s', (_n, record, expected) => {
    expect(claimRows('c_1', record, null, at)).toEqual({ ok: true, rows: { claims: [{
      claim_key: 'c_1', message_id: 'm1', event_time: 1, version: '50', ...expected, ...src,
    }] } });
  });
  it('maps a tombstone (an erased claim) to a claim without primary identifier', () => {
    expect(claimRows('c_9', null, '77', at)).toEqual({ ok: true, rows: { claims: [{
      claim_key: 'c_9', primary_type: '', primary_value: '', profile_id: '', message_id: '', event_time: 0, version: '77', ...src,
    }] } });
  });
  it.each([
    ['a tombstone without a version header', 'c_9', null, null],
    ['a tombstone without a key', null, null, '3'],
    ['an empty claim key', 'x', claimRecord({ claimKey: '' }), null],
    ['an invalid version', 'c_1', claimRecord({ version: 1.5 }), null],
  ])('refuses %s', (_n, key, value, header) => {
    expect(claimRows(key, value, header, at)).toMatchObject({ ok: false, code: 'TSR_DLQ_INVALID_RECORD' });
  });
});
