// docs/analyst-guide.md against what the pipeline writes: the sample touchpoints go through the real extract, link
// and warehouse writer stages into ClickHouse; every documented query returns rows, and each Profile 360 query finds the
// person it asks for (and nobody for an address no one has).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADA_EMAIL, sampleRows, sampleTouchpoints } from '../../infra/local/guide-sample.ts';
import { documentedQueries } from '../../infra/local/documented-sql.ts';
import { partitionKey } from '../../services/contract/normalise.ts';
import { select } from '../../services/kit/clickhouse.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { migrate } from '../../services/kit/migrate.ts';
import { SCHEMAS } from '../../services/kit/records.ts';
import { str } from '../../services/kit/sql.ts';
import { claimKey, defaultIdentityConfig, extractIdentifiers, normaliseIdentifier } from '../../services/identity/index.ts';
import { startStages, type RunningPipeline } from '../support/pipeline.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let pipeline: RunningPipeline;
/** A second database holding guide-sample.ts's rows, as check-sql.ts loads them. */
let twin: string;

/** What the guide's tables hold, without the columns that tell one run from another (versions, source offsets). */
const snapshot = (db: string) => Promise.all([
  select(s.ch, `SELECT message_id, type, event, name, user_id, anonymous_id, profile_id, id_type, id_value, event_time, source, country, region,
    device_type, revenue, session_key, trait_keys, trait_values, identifiers, refused, refusal_codes, dropped_types, dropped_codes
    FROM ${db}.events FINAL ORDER BY message_id`),
  select(s.ch, `SELECT profile_id, state, merged_into, id_types, id_values, first_seen, last_seen FROM ${db}.profiles FINAL ORDER BY profile_id`),
  select(s.ch, `SELECT id_type, id_value, profile_id, message_id, linked_at FROM ${db}.identities FINAL ORDER BY id_type, id_value`),
  select(s.ch, `SELECT profile_id, id_type, id_value FROM ${db}.profile_anchors FINAL ORDER BY profile_id`),
  select(s.ch, `SELECT kind, from_profile, into_profile, id_type, id_value, message_id FROM ${db}.identity_changes FINAL ORDER BY message_id, kind, from_profile`),
]);

beforeAll(async () => {
  s = await isolatedStack('guide');
  twin = `${s.database}_twin`;
  await migrate(s.ch, twin);
  const sample = sampleRows();
  for (const [table, rows] of Object.entries(sample)) if (rows.length) await s.ch.insert({ table: `${twin}.${table}`, values: rows, format: 'JSONEachRow' });
  const sampleClaims = new Set(sample.claims.map((r) => r.claim_key));

  pipeline = await startStages(s);
  const producer = idempotentProducer(s.kafka);
  await producer.connect();
  const schemaId = await s.codec.register(SCHEMAS.touchpoint, `${s.topics.touchpoints}-value`);
  // One at a time, each linked and written before the next: claims reach the link stage in the sample's order (the
  // claims topic is keyed by claim, so claims produced together could be linked in any order, and merges with them).
  for (const t of sampleTouchpoints) {
    await producer.send({ topic: s.topics.touchpoints, acks: -1, messages: [{ key: partitionKey(t), value: s.codec.encode(SCHEMAS.touchpoint, schemaId, t) }] });
    await eventually(() => select(s.ch, `SELECT 1 FROM ${s.database}.events WHERE message_id = ${str(t.messageId)}`), (rows) => rows.length === 1, `${t.messageId} in ClickHouse`, 60_000);
    const x = extractIdentifiers(t, defaultIdentityConfig);
    const key = claimKey(x.identifiers, x.blocked ?? []);
    if (sampleClaims.has(key)) {
      await eventually(() => select(s.ch, `SELECT 1 FROM ${s.database}.claims WHERE claim_key = ${str(key)}`), (rows) => rows.length > 0, `the claim of ${t.messageId} linked`, 60_000);
    }
  }
  await producer.disconnect();
}, 300_000);

afterAll(async () => {
  await pipeline?.stop();
  await s?.ch.command({ query: `DROP DATABASE IF EXISTS ${twin}` }).catch(() => undefined);
  await s?.close();
});

const queries = documentedQueries('db_placeholder');
const profile360 = queries.map((q, i) => [i, q] as const).filter(([, q]) => q.section === 'Profile 360 by any identifier');
const emailsIn = (sql: string) => [...sql.matchAll(/id_type = 'email' AND id_value = '([^']+)'|\('email', '([^']+)'\)|'email:([^']+)'/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

describe('the sample', () => {
  it('guide-sample.ts holds exactly what the real extract, link and writer stages write for its touchpoints', async () => {
    const expected = await snapshot(twin);
    expect(expected[0]).toHaveLength(sampleTouchpoints.length);
    await expect.poll(() => snapshot(s.database), { timeout: 60_000, interval: 250 }).toEqual(expected);
  });

  it("the guide's example addresses are not blocked: they link, as written (normalised)", () => {
    const guide = readFileSync(new URL('../../docs/analyst-guide.md', import.meta.url), 'utf8');
    const emails = [...new Set([...guide.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((m) => emailsIn(m[1]!)))];
    expect(emails).toContain(ADA_EMAIL);
    for (const e of emails) {
      expect(normaliseIdentifier('email', e, defaultIdentityConfig), e).toMatchObject({ ok: true, identifier: { type: 'email', value: e } });
    }
  });
});

describe('docs/analyst-guide.md', () => {
  it('has queries to check, five or more of them for a Profile 360', () => {
    expect(queries.length).toBeGreaterThan(10);
    expect(profile360.length).toBeGreaterThanOrEqual(5);
  });

  it.each(queries.map((q, i) => [i, q.title] as const))('query %i runs and returns rows: %s', async (i) => {
    const rows = await select(s.ch, documentedQueries(s.database)[i]!.sql);
    expect(rows.length).toBeGreaterThan(0);
  });

  it.each(profile360.map(([i, q]) => [i, q.title] as const))('Profile 360 query %i finds the person, and nobody for an unknown address: %s', async (i) => {
    const sql = documentedQueries(s.database)[i]!.sql;
    expect(emailsIn(sql)).toEqual(expect.arrayContaining([ADA_EMAIL]));
    // The profile the pipeline gave Ada, found through another of her identifiers.
    const [ada] = await select<{ profile_id: string }>(s.ch, `SELECT profile_id FROM ${s.database}.identities FINAL WHERE id_type = 'user_id' AND id_value = 'u-ada'`);
    expect(ada?.profile_id).toMatch(/.+/);
    const rows = await select<Record<string, unknown>>(s.ch, sql);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      for (const column of ['profile_id', 'current_profile_id'] as const) if (column in r) expect(r[column], column).toBe(ada!.profile_id);
    }
    expect(await select(s.ch, sql.replaceAll(ADA_EMAIL, 'nobody@analytical-engines.io'))).toEqual([]);
  });
});
