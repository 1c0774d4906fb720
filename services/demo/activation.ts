// The demo's last part: acting on the unified profiles — segments with their sizes, one profile's recommendations,
// and the rising themes of two regions — computed by the same code as `tessera segments|recommend|themes`.
import { readFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import type { Logger } from '../kit/log.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { str } from '../kit/sql.ts';
import { recommendationsPublisher, recommendationsTopic } from '../recommend/publish.ts';
import { refreshRecommendations } from '../recommend/refresh.ts';
import { defaultRecommendOptions } from '../recommend/sql.ts';
import { RecommendationStore } from '../recommend/store.ts';
import { exampleDefinitions } from '../segments/config.ts';
import { parseDefinitions } from '../segments/definition.ts';
import { membershipPublisher, membershipTopic } from '../segments/publish.ts';
import { refreshSegments } from '../segments/refresh.ts';
import { SegmentStore } from '../segments/store.ts';
import { refreshThemes } from '../themes/refresh.ts';
import { table } from './table.ts';

export async function printActivation(o: { ch: ClickHouseClient; database: string; kafka: Kafka; codec: AvroCodec; prefix: string; partitions: number; log: Logger }): Promise<void> {
  const db = o.database;
  const h = (title: string) => console.log(`\n-- ${title}`);
  const layout = { partitions: o.partitions, replicationFactor: 1 };
  // The generated history ends in the past: time windows end at its last event, as `--as-of` would make them.
  const [last] = await select<{ t: string }>(o.ch, `SELECT toUInt32(max(event_time)) AS t FROM ${db}.events_current`);
  const asOf = Number(last?.t ?? Math.floor(Date.now() / 1000));

  const file = exampleDefinitions;
  const parsed = parseDefinitions(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const members = membershipPublisher(o.kafka, o.codec, o.prefix, layout);
  await members.connect();
  try {
    const r = await refreshSegments({ store: new SegmentStore(o.ch, db), publisher: members, database: db, log: o.log, now: Date.now }, parsed.definitions, { asOf });
    h(`Segments (services/segments/examples/segments.yaml, as of ${new Date(asOf * 1000).toISOString().slice(0, 16)}Z): membership changes → ${membershipTopic(o.prefix)}`);
    if (!r.ok) console.log(r.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'));
    else console.log(table(r.segments.map((s) => ({ segment: s.id, members: s.members, entered: s.entered }))));
  } finally {
    await members.disconnect();
  }

  const recs = recommendationsPublisher(o.kafka, o.codec, o.prefix, layout);
  await recs.connect();
  try {
    const r = await refreshRecommendations({ store: new RecommendationStore(o.ch, db), publisher: recs, database: db, log: o.log, now: Date.now }, defaultRecommendOptions, { asOf });
    h(`Recommendations: ${r.profiles} profiles (${r.coldProfiles} cold), ${r.items} items, ${(r.tookMs / 1000).toFixed(1)} s → ${recommendationsTopic(o.prefix)}`);
    const [pick] = await select<{ profile_id: string; email: string }>(o.ch, `SELECT profile_id, any(value) AS email FROM ${db}.profile_traits_current
      WHERE trait = 'email' AND profile_id IN (SELECT profile_id FROM ${db}.rec_interactions WHERE run = ${r.run} GROUP BY profile_id HAVING count() >= 8)
      GROUP BY profile_id ORDER BY profile_id LIMIT 1`);
    if (pick) {
      console.log(`  ${pick.email} (profile ${pick.profile_id}) touched:`);
      console.log(table(await select(o.ch, `SELECT item, round(weight) AS weight, events FROM ${db}.rec_interactions WHERE run = ${r.run} AND profile_id = ${str(pick.profile_id)} ORDER BY weight DESC, item LIMIT 8`)));
      console.log('  and is recommended:');
      console.log(table(await select(o.ch, `SELECT rank, item, round(score, 2) AS score, source FROM ${db}.recommendations_latest WHERE profile_id = ${str(pick.profile_id)} ORDER BY rank`)));
    }
  } finally {
    await recs.disconnect();
  }

  const t = await refreshThemes(o.ch, db, o.log, Date.now);
  h(`Themes: ${t.analysed} texts analysed (tickets, surveys, social mentions); rising in two regions`);
  console.log(table(await select(o.ch, `SELECT country, region, phrase, rising, recent_mentions, recent_people, earlier_mentions, recent_sentiment, growth, lift
    FROM ${db}.region_themes_rising WHERE (country, region) IN (('DE', 'BE'), ('US', 'NY'))
    ORDER BY country, region, rising DESC, recent_mentions DESC, phrase LIMIT 3 BY country, region`)));
  h('Device mix by region (share of events)');
  console.log(table(await select(o.ch, `SELECT country, region,
      concat(toString(round(100 * sumIf(events, device_type = 'mobile') / sum(events))), '%') AS mobile,
      concat(toString(round(100 * sumIf(events, device_type = 'desktop') / sum(events))), '%') AS desktop,
      sum(orders) AS orders
    FROM ${db}.region_channel_device_mix WHERE device_type != '' GROUP BY country, region ORDER BY country, region`)));
}
