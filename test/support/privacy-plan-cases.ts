// The erasure plan on a ClickHouse server (18.16 in test/e2e, a current release through chDB in test/clients): rows
// written through the warehouse's own tables and views, one identifier erased with the privacy service's plan.
import { expect } from 'vitest';
import { select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { countPlan, planFor, submitPlan, untilMutationsDone } from '../../services/privacy/warehouse-erasure.ts';

const event = (id: string, claim: string, identifiers: string[], o: Record<string, unknown> = {}) => ({
  message_id: id, type: 'track', event: 'Order Completed', user_id: '', anonymous_id: '', claim_key: claim, identifiers,
  event_time: 1767225600 + Number(id.slice(1)), event_ms: (1767225600 + Number(id.slice(1))) * 1000, received_at: 1767225600,
  source: 'web', revenue: 5, currency: 'EUR', session_key: 's', trait_keys: [], trait_values: [], property_keys: [], property_values: [],
  src_topic: 't', src_partition: 0, src_offset: Number(id.slice(1)), ...o,
});

export async function seed(ch: ClickHouseClient, db: string): Promise<void> {
  await ch.insert({ table: `${db}.events`, format: 'JSONEachRow', values: [
    // Only the email: goes, with its claim's aggregates.
    event('m1', 'c_only', ['email:o\'brien@shop.example']),
    // The email and a cookie: stays, without the email, its trait or its raw columns.
    event('m2', 'c_mixed', ['anonymous_id:a1', 'email:o\'brien@shop.example'], { anonymous_id: 'a1', trait_keys: ['email', 'plan'], trait_values: [' O\'Brien@Shop.example', 'gold'] }),
    // Somebody else.
    event('m3', 'c_other', ['email:eve@shop.example'], { trait_keys: ['email'], trait_values: ['eve@shop.example'] }),
  ] });
  await ch.insert({ table: `${db}.identities`, format: 'JSONEachRow', values: [
    { id_type: 'email', id_value: 'o\'brien@shop.example', profile_id: 'P1', message_id: 'm1', linked_at: 1767225600, version: 1, src_topic: 't', src_partition: 0, src_offset: 1 },
    { id_type: 'email', id_value: 'eve@shop.example', profile_id: 'P2', message_id: 'm3', linked_at: 1767225600, version: 1, src_topic: 't', src_partition: 0, src_offset: 2 },
  ] });
  await ch.insert({ table: `${db}.profiles`, format: 'JSONEachRow', values: [
    { profile_id: 'P1', state: 'active', merged_into: '', id_types: ['anonymous_id', 'email'], id_values: ['a1', 'o\'brien@shop.example'], identifier_count: 2, first_seen: 1767225600, last_seen: 1767225600, version: 1, src_topic: 't', src_partition: 0, src_offset: 1 },
    { profile_id: 'P2', state: 'active', merged_into: '', id_types: ['email'], id_values: ['eve@shop.example'], identifier_count: 1, first_seen: 1767225600, last_seen: 1767225600, version: 1, src_topic: 't', src_partition: 0, src_offset: 2 },
  ] });
  await ch.insert({ table: `${db}.claims`, format: 'JSONEachRow', values: [
    { claim_key: 'c_only', primary_type: 'email', primary_value: 'o\'brien@shop.example', profile_id: 'P1', message_id: 'm1', event_time: 1767225600, version: 1, src_topic: 't', src_partition: 0, src_offset: 1 },
    { claim_key: 'c_other', primary_type: 'email', primary_value: 'eve@shop.example', profile_id: 'P2', message_id: 'm3', event_time: 1767225600, version: 1, src_topic: 't', src_partition: 0, src_offset: 2 },
  ] });
}

const all = async (ch: ClickHouseClient, sql: string) => select<Record<string, unknown>>(ch, sql);

/** Erases the email with a quote in it twice (the second run finds nothing), and checks what is left. */
export async function eraseAndCheck(ch: ClickHouseClient, db: string): Promise<void> {
  const id = { type: 'email', value: 'o\'brien@shop.example' };
  const plan = await planFor(ch, db, id);
  expect(await countPlan(ch, plan)).toMatchObject({
    events_deleted: 1, events_rewritten: 1, identities_deleted: 1, profiles_deleted: 1, claims_deleted: 1, profile_activity_deleted: 1, profile_traits_deleted: 2,
  });
  await submitPlan(ch, plan);
  await untilMutationsDone(ch, db);
  expect(await all(ch, `SELECT message_id, identifiers, anonymous_id, trait_keys, trait_values FROM ${db}.events ORDER BY message_id`)).toEqual([
    { message_id: 'm2', identifiers: ['anonymous_id:a1'], anonymous_id: 'a1', trait_keys: ['plan'], trait_values: ['gold'] },
    { message_id: 'm3', identifiers: ['email:eve@shop.example'], anonymous_id: '', trait_keys: ['email'], trait_values: ['eve@shop.example'] },
  ]);
  expect(await all(ch, `SELECT id_value FROM ${db}.identities`)).toEqual([{ id_value: 'eve@shop.example' }]);
  expect(await all(ch, `SELECT profile_id FROM ${db}.profiles`)).toEqual([{ profile_id: 'P2' }]);
  expect(await all(ch, `SELECT claim_key FROM ${db}.claims`)).toEqual([{ claim_key: 'c_other' }]);
  expect(await all(ch, `SELECT DISTINCT claim_key FROM ${db}.profile_activity ORDER BY claim_key`)).toEqual([{ claim_key: 'c_mixed' }, { claim_key: 'c_other' }]);
  expect(await all(ch, `SELECT DISTINCT claim_key FROM ${db}.profile_traits ORDER BY claim_key`)).toEqual([{ claim_key: 'c_other' }]);
  // Idempotent: a second run (after a crash) finds nothing left and changes nothing.
  const again = await planFor(ch, db, id);
  expect(Object.values(await countPlan(ch, again)).every((n) => n === 0)).toBe(true);
  await submitPlan(ch, again);
  await untilMutationsDone(ch, db);
  expect((await all(ch, `SELECT message_id FROM ${db}.events`)).length).toBe(2);
}
