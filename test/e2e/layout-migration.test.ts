// Migrations 007-009 on a database that holds data in the layout before (events by message id, activity per identifier):
// the names move onto the new layout, the old events are copied and attributed alike, and an interrupted migration
// finishes on the next run without duplicating anything. Real ClickHouse (18.16 on the local stack).
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import { migrate, migrationsDir } from '../../services/kit/migrate.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let db: string;
beforeAll(async () => {
  s = await isolatedStack('layoutmig');
  db = `${s.database}_old`;
});
afterAll(async () => {
  await s?.ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await s?.close();
});

/** The migrations before the new layout, alone in a folder. */
function migrationsBefore(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-migrations-'));
  for (const f of readdirSync(migrationsDir).filter((f) => f < name)) copyFileSync(join(migrationsDir, f), join(dir, f));
  return `${dir}/`;
}

describe('moving an existing database onto the layout by month', () => {
  it('copies the old events (attributed by their resolve-time primary identifier) and finishes an interrupted run', async () => {
    await migrate(s.ch, db, migrationsBefore('007'));
    // Written by the writer of before: resolved events (one refused identifier), identities, a watermark.
    await s.ch.command({ query: `INSERT INTO ${db}.events (message_id, type, profile_id, id_type, id_value, identifiers, refused, refusal_codes,
      event_time, event_ms, source, revenue, session_key, trait_keys, trait_values, src_topic, src_partition, src_offset) VALUES
      ('o-1', 'track', 'p-old', 'user_id', 'u-1', ['user_id:u-1'], ['email:x@y.org'], ['LIMIT_EXCEEDED'], '2025-12-31 23:00:00', 1767222000000, 'web', 5, 's', ['plan'], ['pro'], 'resolved', 0, 7),
      ('o-2', 'page', 'p-cookie', 'anonymous_id', 'c-1', ['anonymous_id:c-1'], [], [], '2026-01-02 10:00:00', 1767348000000, 'web', 0, 's', [], [], 'resolved', 1, 3),
      ('o-2', 'page', 'p-cookie', 'anonymous_id', 'c-1', ['anonymous_id:c-1'], [], [], '2026-01-02 10:00:00', 1767348000000, 'web', 0, 's', [], [], 'resolved', 1, 3),
      ('o-3', 'page', '', '', '', [], [], [], '2026-01-03 10:00:00', 1767434400000, 'web', 0, 's', [], [], 'resolved', 1, 4)` });
    await s.ch.command({ query: `INSERT INTO ${db}.identities (id_type, id_value, profile_id, message_id, linked_at, version, src_topic, src_partition, src_offset) VALUES
      ('user_id', 'u-1', 'p-old', 'o-1', '2025-12-31 23:00:00', 1, 'profiles', 0, 9), ('anonymous_id', 'c-1', 'p-old', 'o-2', '2026-01-02 10:00:00', 2, 'profiles', 0, 10)` });
    await s.ch.command({ query: `INSERT INTO ${db}.writer_watermarks VALUES ('profiles', 'profiles', 0, 10)` });

    const report = await migrate(s.ch, db);
    expect(report.applied.filter((n) => n >= '007')).toEqual(readdirSync(migrationsDir).filter((f) => /^\d{3}_.+\.sql$/.test(f) && f >= '007').sort());

    const state = async () => ({
      events: await select(s.ch, `SELECT message_id, claim_key, identifiers, refused, toYYYYMM(event_time) AS month FROM ${db}.events ORDER BY message_id`),
      current: await select(s.ch, `SELECT message_id, current_profile_id FROM ${db}.events_current ORDER BY message_id`),
      claims: await select(s.ch, `SELECT claim_key, primary_type, primary_value, version FROM ${db}.claims ORDER BY claim_key`),
      totals: await select(s.ch, `SELECT profile_id, events, revenue FROM ${db}.profile_activity_totals ORDER BY profile_id`),
      traits: await select(s.ch, `SELECT profile_id, trait, value FROM ${db}.profile_traits_current`),
      aliases: await select(s.ch, `SELECT alias_id, profile_id FROM ${db}.profile_aliases ORDER BY alias_id`),
      marks: await select(s.ch, `SELECT target, table_partition, src_topic, src_partition, toString(max(src_offset)) AS o FROM ${db}.writer_watermarks
        GROUP BY target, table_partition, src_topic, src_partition HAVING src_topic != '' ORDER BY target, table_partition, src_partition`),
    });
    const expected = {
      events: [
        { message_id: 'o-1', claim_key: 'v1:user_id:u-1', identifiers: ['user_id:u-1', 'email:x@y.org'], refused: ['email:x@y.org'], month: 202512 },
        { message_id: 'o-2', claim_key: 'v1:anonymous_id:c-1', identifiers: ['anonymous_id:c-1'], refused: [], month: 202601 },
        { message_id: 'o-3', claim_key: '', identifiers: [], refused: [], month: 202601 },
      ],
      // The cookie's profile p-cookie was merged since: the copy is attributed to its identifier's profile now.
      current: [{ message_id: 'o-1', current_profile_id: 'p-old' }, { message_id: 'o-2', current_profile_id: 'p-old' }, { message_id: 'o-3', current_profile_id: '' }],
      claims: [
        { claim_key: 'v1:anonymous_id:c-1', primary_type: 'anonymous_id', primary_value: 'c-1', version: '0' },
        { claim_key: 'v1:user_id:u-1', primary_type: 'user_id', primary_value: 'u-1', version: '0' },
      ],
      totals: [{ profile_id: 'p-old', events: '2', revenue: 5 }],
      traits: [{ profile_id: 'p-old', trait: 'plan', value: 'pro' }],
      // p-cookie has no anchor row: the identifier of its earliest event (006's stand-in, rebuilt from the copy) leads on.
      aliases: [{ alias_id: 'p-cookie', profile_id: 'p-old' }],
      marks: [
        { target: 'events', table_partition: '202512', src_topic: 'resolved', src_partition: 0, o: '7' },
        { target: 'events', table_partition: '202601', src_topic: 'resolved', src_partition: 1, o: '4' },
        { target: 'identities', table_partition: '', src_topic: 'profiles', src_partition: 0, o: '10' },
        { target: 'profiles', table_partition: '', src_topic: 'profiles', src_partition: 0, o: '10' },
      ],
    };
    expect(await state()).toEqual(expected);
    expect((await select<{ name: string }>(s.ch, `SELECT name FROM system.tables WHERE database = '${db}' AND name LIKE '%_v1' ORDER BY name`)).map((r) => r.name))
      .toEqual(['events_v1', 'identifier_traits_v1', 'profile_activity_v1', 'writer_watermarks_v1']);

    // A run interrupted after its statements but before recording them: the next run does them again, to no effect.
    await s.ch.command({ query: `ALTER TABLE ${db}.schema_migrations DELETE WHERE name >= '008'` });
    await eventuallyGone(`SELECT count() AS n FROM ${db}.schema_migrations WHERE name >= '008'`);
    expect((await migrate(s.ch, db)).applied).toEqual(readdirSync(migrationsDir).filter((f) => /^\d{3}_.+\.sql$/.test(f) && f >= '008').sort());
    expect(await state()).toEqual(expected);
    expect((await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${db}.events`))[0]?.n).toBe('3');
  });
});

/** ALTER … DELETE is a mutation: it finishes in the background. */
async function eventuallyGone(countQuery: string): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if ((await select<{ n: string }>(s.ch, countQuery))[0]?.n === '0') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`still there: ${countQuery}`);
}
