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
  /** Metrics ports of the stages. */
  ports: { extract: number[]; link: number; writer: number };
  topics: Topics;
  kafkaBrokers: string[];
  clickhouseUrl: string;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Dead letters by stage and code, from the stages' own counters (`tessera_<stage>_dlq_total`). */
async function dlqByCode(stages: [string, number][]): Promise<Record<string, unknown>[]> {
  const counts = new Map<string, number>();
  for (const [stage, port] of stages) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const m of text.matchAll(/^tessera_(extract|link)_dlq_total\{[^}]*code="([^"]+)"[^}]*\}\s+(\d+)/gm)) {
      const k = `${stage}\u0000${m[2]}`;
      counts.set(k, (counts.get(k) ?? 0) + Number(m[3]));
    }
  }
  return [...counts].map(([k, records]) => ({ stage: k.split('\u0000')[0], reason: k.split('\u0000')[1], records }));
}

export async function printSummary(s: SummaryInput): Promise<void> {
  const db = s.database;
  const q = <T = Record<string, unknown>>(sql: string) => select<T>(s.ch, sql);
  const h = (title: string) => console.log(`\n-- ${title}`);

  h('Profiles');
  console.log(table(await q(`SELECT countIf(state = 'active') AS active_profiles, countIf(state = 'merged') AS merged_away, countIf(state = 'deleted') AS deleted,
    (SELECT count() FROM ${db}.identities FINAL WHERE profile_id != '') AS linked_identifiers FROM ${db}.profiles FINAL`)));
  console.log(table(await q(`SELECT kind, count() AS changes FROM ${db}.identity_changes GROUP BY kind ORDER BY kind`)));

  h('Refused links (identifiers an event carried that the link stage kept out of its profile, so two people are not glued together)');
  console.log(table(await q(`SELECT splitByChar(':', identifier)[1] AS identifier_type, if(identifier_profile = '', 'in no profile', 'in another profile') AS kept,
      uniqExact(identifier) AS identifiers, count() AS events
    FROM (SELECT current_profile_id, arrayJoin(identifiers) AS identifier FROM ${db}.events_current) AS e
    ANY LEFT JOIN (SELECT concat(id_type, ':', id_value) AS identifier, profile_id AS identifier_profile FROM ${db}.identities FINAL) AS i USING (identifier)
    WHERE identifier_profile != current_profile_id GROUP BY identifier_type, kept ORDER BY events DESC`)));

  h('Dropped identifiers (placeholders from buggy SDKs, invalid values)');
  console.log(table(await q(`SELECT code, type AS identifier_type, count() AS dropped
    FROM ${db}.events FINAL ARRAY JOIN dropped_codes AS code, dropped_types AS type GROUP BY code, identifier_type ORDER BY dropped DESC LIMIT 10`)));

  h(`Dead-letter queue (${s.topics.dlq}): records that could not be used, kept with their bytes and reason`);
  console.log(table(await dlqByCode([...s.ports.extract.map((p) => ['extract', p] as [string, number]), ['link', s.ports.link]])));

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
  Metrics:     curl -s http://127.0.0.1:${s.ports.extract[0]}/metrics | grep tessera_extract     (also link :${s.ports.link}, writer :${s.ports.writer})`);
}
