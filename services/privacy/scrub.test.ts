import { describe, expect, it } from 'vitest';
import { defaultIdentityConfig } from '../identity/index.ts';
import { ident, touchpoint, context } from '../../test/support/builders.ts';
import { touchpointRows } from '../warehouse-writer/event-rows.ts';
import { scrubIdentityRows } from './scrub.ts';
import { SuppressionList } from './suppression.ts';

const at = { topic: 't', partition: 0, offset: '1' };
const src = { src_topic: 't', src_partition: 0, src_offset: '1' };
function listOf(...ids: string[]): SuppressionList {
  const list = new SuppressionList(Buffer.alloc(32, 3));
  for (const i of ids) list.add({ hash: list.hashOf(ident(i)), identifierType: ident(i).type, requestId: 'r', requestedBy: 'o', requestedAt: 0, claimsDropped: 1, profilesChanged: 1 });
  return list;
}

describe('what the writer leaves out for erased identifiers', () => {
  const ana = touchpoint({ messageId: 'm1', userId: 'u1', anonymousId: 'a1', context: context({ traits: { email: ' Ana@Shop.example', plan: 'gold' } }) });

  it('writes an event unchanged while nothing is suppressed', () => {
    expect(touchpointRows(ana, defaultIdentityConfig, at, listOf())).toEqual(touchpointRows(ana, defaultIdentityConfig, at));
  });

  it('an event attributable only to erased identifiers is not written', () => {
    expect(touchpointRows(ana, defaultIdentityConfig, at, listOf('user_id:u1', 'anonymous_id:a1', 'email:ana@shop.example'))).toEqual({ ok: true, rows: {} });
  });

  it('another event loses the erased identifier, its claim key follows, and the raw trait and column go', () => {
    const r = touchpointRows(ana, defaultIdentityConfig, at, listOf('email:ana@shop.example', 'user_id:u1'));
    const without = touchpointRows(touchpoint({ ...ana, userId: null, context: context({ traits: { plan: 'gold' } }) }), defaultIdentityConfig, at);
    if (!r.ok || !without.ok) throw new Error('not mapped');
    const row = r.rows.events![0]!;
    expect(row).toMatchObject({ identifiers: ['anonymous_id:a1'], user_id: '', anonymous_id: 'a1', trait_keys: ['plan'], trait_values: ['gold'] });
    // The claim key of what is left: the key the link stage gives the stripped claim.
    expect(row.claim_key).toBe(without.rows.events![0]!.claim_key);
  });

  it('drops or blanks the link stage\'s rows that name an erased identifier', () => {
    const list = listOf('email:e@x.io');
    expect(scrubIdentityRows({
      identities: [{ id_type: 'email', id_value: 'e@x.io', ...src }, { id_type: 'user_id', id_value: 'u1', ...src }],
      profile_anchors: [{ profile_id: 'P', id_type: 'email', id_value: 'e@x.io', ...src }],
      identity_changes: [{ kind: 'move', id_type: 'email', id_value: 'e@x.io', ...src }, { kind: 'merge', id_type: '', id_value: '', ...src }],
      claims: [{ claim_key: 'c', primary_type: 'email', primary_value: 'e@x.io', ...src }],
      profiles: [{ profile_id: 'P', id_types: ['email', 'user_id'], id_values: ['e@x.io', 'u1'], identifier_count: 2, ...src }],
    }, list)).toEqual({
      identities: [{ id_type: 'user_id', id_value: 'u1', ...src }],
      profile_anchors: [],
      identity_changes: [{ kind: 'merge', id_type: '', id_value: '', ...src }],
      claims: [{ claim_key: 'c', primary_type: '', primary_value: '', ...src }],
      profiles: [{ profile_id: 'P', id_types: ['user_id'], id_values: ['u1'], identifier_count: 1, ...src }],
    });
  });
});
