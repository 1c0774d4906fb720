// What the analysts' feed (keyed hashes computed by materialized views, docs/privacy.md) adds to an events insert on
// the configured ClickHouse: the same INSERT … SELECT into a database with and without the feed. One run each.
// Usage: npx tsx bench/analyst-feed.ts [--rows N]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createClickHouse } from '../services/kit/clickhouse.ts';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { migrate } from '../services/kit/migrate.ts';
import { setupAnalystFeed } from '../services/privacy/analyst-feed.ts';

const { values: a } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const rows = Number(a.rows);
const cfg = parseEnv(commonEnv);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD });
const insert = (db: string) => `INSERT INTO ${db}.events (message_id, type, user_id, anonymous_id, claim_key, identifiers, event_time, event_ms, device_id, session_key, consent_said, consent_purposes)
  SELECT toString(number), 'track', concat('u', toString(number % 50000)), concat('c', toString(number % 200000)), concat('k', toString(number % 200000)),
    [concat('user_id:u', toString(number % 50000)), concat('anonymous_id:c', toString(number % 200000)), concat('email:p', toString(number % 50000), '@mailbox.org')],
    toDateTime('2026-01-01 00:00:00', 'UTC') + (number % 2000000), 1767225600000 + (number % 2000000) * 1000, concat('d', toString(number % 80000)), concat('s', toString(number % 300000)),
    1, ['analytics']
  FROM numbers(${rows})`;
const dbs = { plain: `bench_feed_off_${randomBytes(3).toString('hex')}`, fed: `bench_feed_on_${randomBytes(3).toString('hex')}` };
try {
  for (const db of Object.values(dbs)) await migrate(ch, db);
  await setupAnalystFeed(ch, dbs.fed, randomBytes(32));
  const time = async (db: string) => { const t = process.hrtime.bigint(); await ch.command({ query: insert(db) }); return Number(process.hrtime.bigint() - t) / 1e9; };
  const off = await time(dbs.plain);
  const on = await time(dbs.fed);
  console.log(`${rows} events, 3 identifiers each: without the feed ${off.toFixed(2)} s (${Math.round(rows / off)} rows/s), with it ${on.toFixed(2)} s (${Math.round(rows / on)} rows/s): +${((on / off - 1) * 100).toFixed(0)}%`);
} finally {
  for (const db of Object.values(dbs)) {
    await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
    await ch.command({ query: `DROP DATABASE IF EXISTS ${db}_analyst` });
  }
  await ch.close();
}
