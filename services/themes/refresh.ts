// `tessera themes refresh`: analyses the free text of events not analysed yet (incremental, idempotent: an analysed
// message is never read again) and drops the analyses of events that no longer belong to anyone (erased identifiers).
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import type { Logger } from '../kit/log.ts';
import { ident, int, str } from '../kit/sql.ts';
import { analyseText } from './analyse.ts';

/** Properties that hold free text (the first non-empty ones, joined). */
export const TEXT_PROPERTIES = ['text', 'answer', 'comment', 'message', 'body', 'review'];

export interface ThemesResult { analysed: number; dropped: number; tookMs: number }

interface Pending { message_id: string; profile_id: string; event: string; source: string; country: string; region: string; event_time: string; event_ms: string; text: string }

export async function refreshThemes(ch: ClickHouseClient, database: string, log: Logger, now: () => number, batch = 20_000): Promise<ThemesResult> {
  const db = ident(database);
  const started = now();
  // Unrolled: 18.16's lambdas cannot read the row's other columns.
  const text = `arrayStringConcat(arrayFilter(v -> v != '', [${TEXT_PROPERTIES.map((k) => `property_values[indexOf(property_keys, ${str(k)})]`).join(', ')}]), '\\n')`;
  // An event's own location, else its profile's latest located one (a ticket sent by email has none of its own).
  // A text analysed while its profile had no location yet (its located events not linked to it then) is analysed
  // again once the profile has one: the new row replaces the unlocated one (ReplacingMergeTree by analysed_ms).
  const pendingSql = `SELECT message_id, current_profile_id AS profile_id, event, source, event_time, event_ms, text,
       if(own_country != '', own_country, tupleElement(loc, 1)) AS country, if(own_country != '', own_region, tupleElement(loc, 2)) AS region
FROM
(
  SELECT message_id, current_profile_id, event, source, event_time, event_ms, country AS own_country, region AS own_region, ${text} AS text,
         message_id IN (SELECT message_id FROM ${db}.text_analyses FINAL WHERE country = '') AS unlocated
  FROM ${db}.events_current
  WHERE current_profile_id != '' AND notEmpty(property_keys)
    AND message_id NOT IN (SELECT message_id FROM ${db}.text_analyses FINAL WHERE country != '')
) AS e
ANY LEFT JOIN
(
  SELECT current_profile_id, argMax(tuple(country, region), event_ms) AS loc FROM ${db}.events_current
  WHERE current_profile_id != '' AND country != '' AND region != '' GROUP BY current_profile_id
) AS l USING current_profile_id
WHERE text != '' AND (NOT unlocated OR (own_country = '' AND tupleElement(loc, 1) != ''))
ORDER BY message_id
LIMIT ${int(batch)}`;
  let analysed = 0;
  for (;;) {
    const rows = await select<Pending>(ch, pendingSql);
    if (rows.length === 0) break;
    const at = now();
    await ch.insert({
      table: `${db}.text_analyses`, format: 'JSONEachRow',
      values: rows.map((r) => {
        const a = analyseText(r.text);
        return { message_id: r.message_id, profile_id: r.profile_id, event: r.event, source: r.source, country: r.country ?? '', region: r.region ?? '',
          event_time: Math.floor(Number(r.event_ms) / 1000), sentiment: a.sentiment, phrases: a.phrases, analysed_ms: at };
      }),
    });
    analysed += rows.length;
    log.debug({ analysed }, 'texts analysed');
    if (rows.length < batch) break;
  }
  // Same rule as traits: an event whose identifier was erased (or unlinked) belongs to no one, and its analysis goes.
  const [gone] = await select<{ n: string }>(ch, `SELECT count() AS n FROM ${db}.text_analyses
    WHERE message_id IN (SELECT message_id FROM ${db}.events_current WHERE current_profile_id = '')`);
  const dropped = Number(gone?.n ?? 0);
  if (dropped > 0) {
    await ch.command({ query: `ALTER TABLE ${db}.text_analyses DELETE WHERE message_id IN (SELECT message_id FROM ${db}.events_current WHERE current_profile_id = '')` });
  }
  return { analysed, dropped, tookMs: now() - started };
}
