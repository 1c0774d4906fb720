// The demo's closing report: identity outcomes, quality against ground truth, one profile 360, a regional table.
import type { ClickHouseClient } from '../kit/clickhouse.ts';
import { select } from '../kit/clickhouse.ts';
import { str } from '../kit/sql.ts';
import type { Topics } from '../kit/topics.ts';
import { pairwiseQuality } from '../loadgen/quality.ts';
import { table } from './table.ts';

export interface SummaryInput {
  ch: ClickHouseClient;
  database: string;
  truth: Map<string, number>;
  resolverPort: number;
  topics: Topics;
  kafkaBrokers: string[];
  clickhouseUrl: string;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

async function dlqByCode(port: number): Promise<Record<string, unknown>[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const rows: Record<string, unknown>[] = [];
  for (const m of text.matchAll(/^tessera_resolver_dlq_total\{[^}]*code="([^"]+)"[^}]*\}\s+(\d+)/gm)) rows.push({ reason: m[1], records: Number(m[2]) });
  return rows;
}

export async function printSummary(s: SummaryInput): Promise<void> {
  const db = s.database;
  const q = <T = Record<string, unknown>>(sql: string) => select<T>(s.ch, sql);
  const h = (title: string) => console.log(`\n-- ${title}`);

  h('Profiles');
  console.log(table(await q(`SELECT countIf(state = 'active') AS active_profiles, countIf(state = 'merged') AS merged_away, countIf(state = 'deleted') AS deleted,
    (SELECT count() FROM ${db}.identities FINAL WHERE profile_id != '') AS linked_identifiers FROM ${db}.profiles FINAL`)));
  console.log(table(await q(`SELECT kind, count() AS changes FROM ${db}.identity_changes GROUP BY kind ORDER BY kind`)));

  h('Refused links (identifiers left unlinked so two people are not glued together)');
  console.log(table(await q(`SELECT code, splitByChar(':', refused_id)[1] AS identifier_type, count() AS refusals
    FROM ${db}.events FINAL ARRAY JOIN refusal_codes AS code, refused AS refused_id GROUP BY code, identifier_type ORDER BY refusals DESC`)));

  h('Dropped identifiers (placeholders from buggy SDKs, invalid values)');
  console.log(table(await q(`SELECT code, type AS identifier_type, count() AS dropped
    FROM ${db}.events FINAL ARRAY JOIN dropped_codes AS code, dropped_types AS type GROUP BY code, identifier_type ORDER BY dropped DESC LIMIT 10`)));

  h(`Dead-letter queue (${s.topics.dlq}): records that could not be used, kept with their bytes and reason`);
  console.log(table(await dlqByCode(s.resolverPort)));

  h('Identity quality against the ground truth (pairwise over events)');
  const current = await q<{ message_id: string; current_profile_id: string }>(`SELECT message_id, current_profile_id FROM ${db}.events_current`);
  const quality = pairwiseQuality(current.filter((r) => s.truth.has(r.message_id)).map((r) => [r.current_profile_id || null, s.truth.get(r.message_id)!] as const));
  console.log(table([{ people: quality.people, profiles: quality.profiles, precision: pct(quality.precision), recall: pct(quality.recall), f1: pct(quality.f1), over_merged_people: quality.overMergedPeople, split_people: quality.splitPeople }]));

  const [pick] = await q<{ profile_id: string; email: string }>(`SELECT profile_id, id_values[indexOf(id_types, 'email')] AS email FROM ${db}.profiles FINAL
    WHERE state = 'active' AND has(id_types, 'email') AND has(id_types, 'phone') AND has(id_types, 'user_id') ORDER BY identifier_count DESC, profile_id LIMIT 1`);
  if (pick) {
    h(`Profile 360, looked up by email ${pick.email}`);
    const [found] = await q<{ profile_id: string }>(`SELECT profile_id FROM ${db}.identities FINAL WHERE id_type = 'email' AND id_value = ${str(pick.email)}`);
    const pid = found?.profile_id ?? pick.profile_id;
    console.log(`  profile ${pid}`);
    console.log(table(await q(`SELECT id_type, id_value, message_id AS linked_by_event, linked_at FROM ${db}.identities FINAL WHERE profile_id = ${str(pid)} ORDER BY linked_at, id_type`)));
    console.log(table(await q(`SELECT trait, value FROM ${db}.profile_traits_current WHERE profile_id = ${str(pid)} ORDER BY trait`)));
    console.log(table(await q(`SELECT events, sessions, round(revenue, 2) AS revenue, first_seen, last_seen, last_channel, countries, device_types FROM ${db}.profile_activity_totals WHERE profile_id = ${str(pid)}`)));
    console.log(table(await q(`SELECT event_time, type, if(event != '', event, name) AS what, source, device_type, city FROM ${db}.events_current
      WHERE current_profile_id = ${str(pid)} ORDER BY event_ms DESC LIMIT 8`)));
  }

  h('Device preference by region (share of device-carrying events, and profiles seen)');
  console.log(table(await q(`SELECT country, region,
      concat(toString(round(100 * countIf(device_type = 'desktop') / count())), '%') AS desktop,
      concat(toString(round(100 * countIf(device_type = 'mobile') / count())), '%') AS mobile,
      concat(toString(round(100 * countIf(device_type = 'tablet') / count())), '%') AS tablet,
      uniqExact(current_profile_id) AS profiles, count() AS events
    FROM ${db}.events_current WHERE device_type != '' GROUP BY country, region ORDER BY events DESC`)));

  h('Explore it yourself');
  console.log(`  ClickHouse:  clickhouse-client --port ${process.env.CLICKHOUSE_TCP_PORT || 9000} --database ${db} --query "SELECT * FROM profile_activity_totals ORDER BY events DESC LIMIT 5"
               curl '${s.clickhouseUrl}/?database=${db}' --data-binary "SELECT country, count() FROM events FINAL GROUP BY country FORMAT PrettyCompact"
               tables and example queries: docs/analyst-guide.md
  Profiles:    npx tsx services/tools/tail.ts ${s.topics.profiles} --max 5     (Avro decoded through the schema registry)
  Merges:      npx tsx services/tools/tail.ts ${s.topics.merges} --max 5
  DLQ:         npx tsx services/tools/tail.ts ${s.topics.dlq}
  Metrics:     curl -s http://127.0.0.1:${s.resolverPort}/metrics | grep tessera_resolver`);
}
