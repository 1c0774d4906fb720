// Erasure and export end to end on the real servers: `tessera forget` through privacy.requests → the link stage (graph,
// suppression list) → the privacy service (ClickHouse mutations, audit); bad requests answered and changing nothing;
// a replay of every topic from offset 0 (a fresh writer group and database; the touchpoints copied into a fresh
// pipeline) neither re-links nor re-writes the erased identifier; `tessera export` returns what is held.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { readCompacted } from '../../services/kit/changelog-reader.ts';
import { select } from '../../services/kit/clickhouse.ts';
import { createLogger } from '../../services/kit/log.ts';
import { migrate } from '../../services/kit/migrate.ts';
import type { ClaimRecord, IdentityIdentifierRecord, ProfileRecord } from '../../services/kit/records.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { setupAnalystFeed } from '../../services/privacy/analyst-feed.ts';
import { keyedHash } from '../../services/privacy/keyed-hash.ts';
import { context, touchpoint } from '../support/builders.ts';
import { drained } from '../support/claims.ts';
import { copyTopic, recordsHolding, tablesHolding, tesseraCli } from '../support/privacy.ts';
import { committed, endOffsets, eventually, eventuallyEqual, one } from '../support/published.ts';
import { serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

const quiet = createLogger('test', 'warn');

let s: IsolatedStack;
let replay: IsolatedStack;
let services: ServiceHarness;
let replayServices: ServiceHarness;

const ANA_EMAIL = 'ana.erased@shop.example';
const t0 = Date.UTC(2026, 2, 1);
const people: Touchpoint[] = [
  touchpoint({ messageId: 'a1', type: 'identify', event: null, timestamp: t0, userId: 'u-ana-91', anonymousId: 'anon-ana-91', context: context({ traits: { email: 'Ana.Erased@Shop.example', name: 'Ana' } }) }),
  touchpoint({ messageId: 'a2', timestamp: t0 + 1000, userId: 'u-ana-91', event: 'Order Completed', properties: { revenue: 40, currency: 'EUR' } }),
  touchpoint({ messageId: 'a3', timestamp: t0 + 2000, anonymousId: 'anon-ana-91', event: 'Page Viewed' }),
  // Ana's email is the only link between this cookie and her: erasing it undoes that merge.
  touchpoint({ messageId: 'b1', timestamp: t0 + 3000, anonymousId: 'anon-bridge-91', event: 'Signed Up', context: context({ traits: { email: ANA_EMAIL } }) }),
  touchpoint({ messageId: 'c1', type: 'identify', event: null, timestamp: t0 + 4000, userId: 'u-bob-91', anonymousId: 'anon-bob-91', context: context({ traits: { email: 'bob@shop.example', name: 'Bob' } }) }),
  touchpoint({ messageId: 'c2', timestamp: t0 + 5000, userId: 'u-bob-91', event: 'Order Completed', properties: { revenue: 10, currency: 'EUR' } }),
];

const writerEnv = { TESSERA_WRITER_EVENTS: 'touchpoints', TESSERA_WRITER_FLUSH_MS: '100' };
async function startPipeline(h: ServiceHarness): Promise<void> {
  await h.start('extract');
  await h.start('link', { TESSERA_LINK_LINGER_MS: '20' });
  await h.start('warehouse-writer', writerEnv);
  await h.start('privacy');
}
/**
 * The stages have applied everything: extract and link committed the ends of their (non-transactional) inputs, and
 * ClickHouse holds exactly the link stage's latest identifier and profile tables (its topics are transactional, so
 * the writer's committed offsets stop short of the commit markers: the content is the test, not the offsets).
 */
async function settled(x: IsolatedStack, db = x.database, afterErasures = false): Promise<void> {
  await drained(x.kafka, `${x.prefix}extract`, x.topics.touchpoints);
  if (afterErasures) {
    // An erasure's claim tombstones are written to the claims topic in the link stage's transactions: a partition's
    // end may then be a commit marker, one past the last record the link stage can commit.
    const ends = await endOffsets(x.kafka, x.topics.claims);
    await eventually(() => committed(x.kafka, `${x.prefix}link`, x.topics.claims), (c) => [...ends].every(([p, end]) => (c.get(p) ?? -1n) >= end - 1n), 'the link stage at the end of claims');
  } else {
    await drained(x.kafka, `${x.prefix}link`, x.topics.claims);
  }
  const ids = await latest<IdentityIdentifierRecord>(x, x.topics.identifiers, 'identity-identifier');
  const wantIds = [...ids.values()].filter((v) => v !== null).map((v) => `${v.type}:${v.value}>${v.profileId ?? ''}`).sort();
  await eventuallyEqual(async () => (await select<{ r: string }>(x.ch, `SELECT concat(id_type, ':', id_value, '>', profile_id) AS r FROM ${db}.identities FINAL`)).map((r) => r.r).sort(), wantIds, 'identities as published');
  const profiles = await latest<ProfileRecord>(x, x.topics.profiles, 'profile');
  const wantProfiles = [...profiles].map(([k, v]) => `${k}:${v!.state}`).sort();
  await eventuallyEqual(async () => (await select<{ r: string }>(x.ch, `SELECT concat(profile_id, ':', state) AS r FROM ${db}.profiles FINAL WHERE state != 'deleted'`)).map((r) => r.r).sort(), wantProfiles, 'profiles as published');
}
/** A compacted topic's latest value per key, read to its end (commit markers included). */
async function latest<V>(x: IsolatedStack, topic: string, schema: string): Promise<Map<string, V | null>> {
  return readCompacted<V>({ kafka: x.kafka, codec: x.codec, log: quiet, topic, groupId: `latest-${topic}-${Date.now()}` }, schema);
}
const profileHolding = (profiles: Map<string, ProfileRecord | null>, tag: string) =>
  [...profiles.values()].find((p) => p?.state === 'active' && p.identifiers.some((i) => `${i.type}:${i.value}` === tag))?.profileId ?? null;

beforeAll(async () => {
  s = await isolatedStack('privacy', { partitions: 3 });
  // The analysts' database, fed with the slice's key: the key every service of the slice hashes with.
  await setupAnalystFeed(s.ch, s.database, s.privacyKey);
  services = serviceHarness(s);
  await startPipeline(services);
  await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints: people, total: people.length });
  await eventually(() => one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events FINAL`), (r) => Number(r.n) === people.length, 'every event in ClickHouse');
  await settled(s);
}, 240_000);
afterAll(async () => {
  await services?.stopAll();
  await replayServices?.stopAll();
  await s?.close();
  await replay?.close();
});

describe('erasure', () => {
  it('tessera forget: gone from the graph outputs and from every ClickHouse table; the merge it bridged is undone; audited without PII', async () => {
    const before = await latest<ProfileRecord>(s, s.topics.profiles, 'profile');
    expect((await latest<IdentityIdentifierRecord>(s, s.topics.identifiers, 'identity-identifier')).has(`email:${ANA_EMAIL}`)).toBe(true);
    expect(profileHolding(before, 'anonymous_id:anon-bridge-91')).toBe(profileHolding(before, 'user_id:u-ana-91'));
    expect(await tablesHolding(s.ch, s.database, ANA_EMAIL)).toEqual(expect.arrayContaining(['events', 'identities', 'profiles']));
    // The analysts' database holds the email's keyed hash, never the email (docs/privacy.md, PII kept from analysts).
    const analystHolding = async () => {
      const h = keyedHash(s.privacyKey, 'email', ANA_EMAIL);
      const an = `${s.database}_analyst`;
      return {
        events: Number((await one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${an}.events WHERE has(identifiers, 'email:${h}')`)).n),
        identities: Number((await one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${an}.identities WHERE id_type = 'email' AND id_hash = '${h}'`)).n),
      };
    };
    const analystBefore = await analystHolding();
    expect(analystBefore.events).toBe(2);
    expect(analystBefore.identities).toBeGreaterThanOrEqual(1);
    expect(await tablesHolding(s.ch, `${s.database}_analyst`, ANA_EMAIL)).toEqual([]);

    // Typed as a person would: case and spaces do not matter, the core's normalisation decides.
    const run = await tesseraCli(s, ['forget', ` ${ANA_EMAIL.toUpperCase()} `.replace(/^/, 'email:'), '--by', 'dpo@shop.example', '--request-id', 'erase-ana-email']);
    expect(run.stderr).toBe('');
    expect(run.json).toMatchObject({ requestId: 'erase-ana-email', outcome: 'erased', code: null });
    expect(run.code).toBe(0);
    expect((run.json!.counts as Record<string, number>)).toMatchObject({ claims_dropped: 2, events_deleted: 0, events_rewritten: 2 });
    expect((run.json!.counts as Record<string, number>).identities_deleted).toBeGreaterThanOrEqual(1);
    // The analysts' rows holding the email's hash go in the same erasure, counted like the others.
    expect((run.json!.counts as Record<string, number>)).toMatchObject({ analyst_events_deleted: 2, analyst_identities_deleted: analystBefore.identities });
    expect(await analystHolding()).toEqual({ events: 0, identities: 0 });

    await settled(s, s.database, true);
    const after = await latest<ProfileRecord>(s, s.topics.profiles, 'profile');
    expect(profileHolding(after, `email:${ANA_EMAIL}`)).toBeNull();
    expect(profileHolding(after, 'anonymous_id:anon-bridge-91')).not.toBeNull();
    expect(profileHolding(after, 'anonymous_id:anon-bridge-91')).not.toBe(profileHolding(after, 'user_id:u-ana-91'));
    // Tombstoned: the compacted table no longer has the key (it had it before).
    const identifiers = await latest<IdentityIdentifierRecord>(s, s.topics.identifiers, 'identity-identifier');
    expect(identifiers.has(`email:${ANA_EMAIL}`)).toBe(false);
    expect(identifiers.has('user_id:u-ana-91')).toBe(true);
    const changelog = await latest<ClaimRecord>(s, s.topics.changelog, 'claim');
    expect([...changelog.values()].filter((c) => c !== null && JSON.stringify(c).includes(ANA_EMAIL))).toEqual([]);
    // The claims topic too: the claims that held it are tombstoned and published again without it.
    const claimsTopic = await latest<ClaimRecord>(s, s.topics.claims, 'claim');
    expect([...claimsTopic.values()].filter((c) => c !== null && JSON.stringify(c).includes(ANA_EMAIL))).toEqual([]);
    expect([...claimsTopic.values()].filter((c) => c !== null && c.messageId === 'b1').map((c) => c!.identifiers)).toEqual([[{ type: 'anonymous_id', value: 'anon-bridge-91' }]]);

    expect(await tablesHolding(s.ch, s.database, ANA_EMAIL)).toEqual([]);
    // Every event is still there: each also carried another identifier, which keeps it (without the email).
    expect(await one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events FINAL`)).toEqual({ n: String(people.length) });
    const audit = await eventually(() => one<{ outcome: string; final: number; id_hash: string; requested_by: string }>(s.ch,
      `SELECT outcome, final, id_hash, requested_by FROM ${s.database}.privacy_audit FINAL WHERE request_id = 'erase-ana-email' AND step = 'warehouse'`).catch(() => null), (a) => a?.final === 1, 'the audit row');
    expect(audit).toMatchObject({ outcome: 'erased', requested_by: 'dpo@shop.example', id_hash: run.json!.identifierHash });
  }, 180_000);

  it('an identifier that alone made an event: the event goes, with its aggregates; the rest of the person stays', async () => {
    const run = await tesseraCli(s, ['forget', 'user_id:u-ana-91', '--request-id', 'erase-ana-user']);
    expect(run.json).toMatchObject({ outcome: 'erased' });
    expect(run.json!.counts).toMatchObject({ events_deleted: 1, events_rewritten: 1, profile_activity_deleted: expect.any(Number) });
    expect(await tablesHolding(s.ch, s.database, 'u-ana-91')).toEqual([]);
    expect(await one<{ ids: string[] }>(s.ch, `SELECT groupArray(message_id) AS ids FROM (SELECT message_id FROM ${s.database}.events FINAL ORDER BY message_id)`)).toEqual({ ids: ['a1', 'a3', 'b1', 'c1', 'c2'] });
    // Bob is untouched: his order still counts.
    expect(await one<{ revenue: number }>(s.ch, `SELECT sum(revenue) AS revenue FROM ${s.database}.events FINAL WHERE user_id = 'u-bob-91'`)).toEqual({ revenue: 10 });
  }, 180_000);
});

describe('bad input is answered and changes nothing else', () => {
  it.each([
    ['no TYPE:VALUE', ['forget', 'ana.erased'], 2, /TSR_PRIVACY_BAD_REQUEST/],
    ['an invalid email', ['forget', 'email:not-an-email'], 2, /TSR_PRIVACY_INVALID_IDENTIFIER/],
    ['no identifier at all', ['forget'], 2, /expected TYPE:VALUE/],
  ])('%s: refused before anything is written (exit 2)', async (_, args, code, message) => {
    const requests = await endOffsets(s.kafka, s.topics.privacyRequests);
    const run = await tesseraCli(s, args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(await endOffsets(s.kafka, s.topics.privacyRequests)).toEqual(requests);
  });

  it('unknown, already erased and replayed requests: answered (exit 3) through the topic, nothing else changes', async () => {
    const suppressions = await endOffsets(s.kafka, s.topics.suppressions);
    const dump = await one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events`);
    const unknown = await tesseraCli(s, ['forget', 'user_id:ghost-91']);
    expect([unknown.code, unknown.json?.outcome, unknown.json?.code]).toEqual([3, 'unknown', 'TSR_PRIVACY_UNKNOWN_IDENTIFIER']);
    const again = await tesseraCli(s, ['forget', `email:${ANA_EMAIL}`]);
    expect([again.code, again.json?.outcome, again.json?.code]).toEqual([3, 'already_erased', 'TSR_PRIVACY_ALREADY_ERASED']);
    const replayed = await tesseraCli(s, ['forget', 'user_id:u-ana-91', '--request-id', 'erase-ana-user']);
    expect([replayed.code, replayed.json?.outcome, replayed.json?.code]).toEqual([3, 'duplicate', 'TSR_PRIVACY_DUPLICATE_REQUEST']);
    expect(await endOffsets(s.kafka, s.topics.suppressions)).toEqual(suppressions);
    expect(await one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events`)).toEqual(dump);
  }, 120_000);

  it('a request record that is not Avro is dead-lettered, a malformed one answered as rejected, and the next request still works', async () => {
    const producer = s.kafka.producer();
    await producer.connect();
    await producer.send({ topic: s.topics.privacyRequests, messages: [{ key: 'junk', value: Buffer.from('{"forget":"everyone"}') }] });
    await producer.disconnect();
    const bad = await tesseraCli(s, ['forget', 'user_id:u-bob-91', '--by', ' ', '--request-id', 'no-requester']);
    // The command line sends it (a requester is the link stage's rule); the link stage answers.
    expect([bad.code, bad.json?.outcome, bad.json?.code]).toEqual([3, 'rejected', 'TSR_PRIVACY_BAD_REQUEST']);
    const dlq = await readTopic<{ code: string; sourceTopic: string }>(s.kafka, s.codec, s.topics.dlq, 'dead-letter', (rs) => rs.some((r) => r.value?.sourceTopic === s.topics.privacyRequests));
    expect(dlq.find((r) => r.value?.sourceTopic === s.topics.privacyRequests)?.value?.code).toBe('TSR_DLQ_WIRE_FORMAT');
    // The claims-topic tombstones of the erasures came back to the link stage and were skipped, not dead-lettered.
    expect(dlq.filter((r) => r.value?.sourceTopic === s.topics.claims)).toEqual([]);
    const ok = await tesseraCli(s, ['forget', 'anonymous_id:anon-ana-91']);
    expect(ok.json?.outcome).toBe('erased');
    // The audit names requests and hashes, never the values (the search finds what is there: the request ids).
    expect(await recordsHolding(s.kafka, s.topics.privacyAudit, /anon-ana-91|u-ana-91|ana\.erased/i)).toEqual([]);
    expect((await recordsHolding(s.kafka, s.topics.privacyAudit, /erase-ana-user/)).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('a replay of every topic from offset 0', () => {
  it('a fresh writer group into a fresh database, from the same topics: writes none of the erased values', async () => {
    const fresh = `${s.database}_replay`;
    await migrate(s.ch, fresh);
    try {
      await services.start('warehouse-writer', { ...writerEnv, TESSERA_CLICKHOUSE_DATABASE: fresh, TESSERA_WRITER_GROUP: `${s.prefix}writer-replay` }, 'writer-replay');
      await eventually(() => one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${fresh}.events FINAL`), (r) => Number(r.n) === 3, 'the replayed events');
      await settled(s, fresh, true);
      for (const needle of [ANA_EMAIL, 'u-ana-91', 'anon-ana-91']) expect([needle, await tablesHolding(s.ch, fresh, needle)]).toEqual([needle, []]);
      // a2 was Ana's user id alone; a1 and a3 carried only erased identifiers now: none is written. Bob's are.
      expect(await one<{ ids: string[] }>(s.ch, `SELECT groupArray(message_id) AS ids FROM (SELECT message_id FROM ${fresh}.events FINAL ORDER BY message_id)`)).toEqual({ ids: ['b1', 'c1', 'c2'] });
    } finally {
      await s.ch.command({ query: `DROP DATABASE IF EXISTS ${fresh}` });
    }
  }, 180_000);

  it('the same touchpoints and suppression list in a fresh pipeline: extract, link and writer neither re-link nor re-write them', async () => {
    // The same key: the copied suppression list holds hashes made with it (one key for every service of a deployment).
    replay = await isolatedStack('privacyreplay', { partitions: 3, privacyKey: s.privacyKey });
    replayServices = serviceHarness(replay);
    // The suppression list is durable state, restored on start: it comes along, as a restore from backup would bring it.
    await copyTopic(s.kafka, s.topics.suppressions, replay.topics.suppressions);
    await copyTopic(s.kafka, s.topics.touchpoints, replay.topics.touchpoints);
    await startPipeline(replayServices);
    await eventually(() => one<{ n: string }>(replay.ch, `SELECT count() AS n FROM ${replay.database}.events FINAL`), (r) => Number(r.n) === 3, 'the replayed events in ClickHouse');
    await settled(replay);
    const profiles = await latest<ProfileRecord>(replay, replay.topics.profiles, 'profile');
    expect(profileHolding(profiles, 'anonymous_id:anon-bridge-91')).not.toBeNull();
    expect(profileHolding(profiles, 'user_id:u-bob-91')).toBe(profileHolding(profiles, 'email:bob@shop.example'));
    for (const topic of [replay.topics.claims, replay.topics.profiles, replay.topics.identifiers, replay.topics.changelog, replay.topics.identityClaims, replay.topics.merges]) {
      expect([topic, await recordsHolding(replay.kafka, topic, /ana\.erased|u-ana-91|anon-ana-91/i)]).toEqual([topic, []]);
    }
    // The test can fail: the same search finds the values in the copied touchpoints.
    expect((await recordsHolding(replay.kafka, replay.topics.touchpoints, /u-ana-91/)).length).toBeGreaterThan(0);
    for (const needle of [ANA_EMAIL, 'u-ana-91', 'anon-ana-91']) expect([needle, await tablesHolding(replay.ch, replay.database, needle)]).toEqual([needle, []]);
  }, 240_000);
});

describe('subject access export', () => {
  it('tessera export: the profile, its identifiers with the linking event, traits, events and aggregates, as JSON', async () => {
    const run = await tesseraCli(s, ['export', 'email: BOB@shop.example', '--by', 'dpo@shop.example']);
    expect(run.code).toBe(0);
    const doc = run.json as Record<string, unknown> & { identifiers: Array<{ type: string; value: string; linkedBy: string }>; events: Array<{ message_id: string }>; traits: Array<{ trait: string; value: string }>; activity: { events: string } };
    expect(doc).toMatchObject({ found: true, subject: { type: 'email', value: 'bob@shop.example' }, profileId: expect.any(String) });
    expect(doc.identifiers.map((i) => `${i.type}:${i.value}@${i.linkedBy}`).sort()).toEqual(['anonymous_id:anon-bob-91@c1', 'email:bob@shop.example@c1', 'user_id:u-bob-91@c1']);
    expect(doc.events.map((e) => e.message_id)).toEqual(['c1', 'c2']);
    expect(doc.traits).toEqual(expect.arrayContaining([expect.objectContaining({ trait: 'name', value: 'Bob' })]));
    expect(Number(doc.activity.events)).toBe(2);
    const erased = await tesseraCli(s, ['export', `email:${ANA_EMAIL}`]);
    expect([erased.code, erased.json?.found]).toEqual([3, false]);
  }, 60_000);
});
