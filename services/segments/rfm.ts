// Built-in RFM scoring: recency, frequency and monetary quintile scores (1-5) per profile, and the segment family on them.
// Pure SQL text; quintile cut points come from quantilesExact over the purchasers (no window functions on 18.16).
import { ident, int, strList } from '../kit/sql.ts';
import type { Condition, RfmOptions, Segment } from './definition.ts';

const band = (low: number, high: number) => ({ low, high });
const rfm = (r: [number, number] | null, f: [number, number] | null, m: [number, number] | null = null): Condition =>
  ({ kind: 'rfm', r: r && band(...r), f: f && band(...f), m: m && band(...m) });

/**
 * The family: the usual R × F map, every purchaser in exactly one of the first seven; big spenders cut across them.
 * Ids start with rfm-, which user definitions may not use.
 */
export const RFM_FAMILY: readonly Segment[] = [
  { id: 'rfm-champions', name: 'RFM: champions', description: 'bought recently and often (R 4-5, F 4-5)', kind: 'rules', where: rfm([4, 5], [4, 5]) },
  { id: 'rfm-loyal', name: 'RFM: loyal', description: 'buy often, not lately (R 3, F 3-5)', kind: 'rules', where: rfm([3, 3], [3, 5]) },
  { id: 'rfm-potential-loyalists', name: 'RFM: potential loyalists', description: 'recent, a few purchases (R 4-5, F 2-3)', kind: 'rules', where: rfm([4, 5], [2, 3]) },
  { id: 'rfm-new', name: 'RFM: new customers', description: 'recent first purchase (R 4-5, F 1)', kind: 'rules', where: rfm([4, 5], [1, 1]) },
  { id: 'rfm-need-attention', name: 'RFM: need attention', description: 'middling recency, few purchases (R 3, F 1-2)', kind: 'rules', where: rfm([3, 3], [1, 2]) },
  { id: 'rfm-at-risk', name: 'RFM: at risk', description: 'used to buy often, not for a while (R 1-2, F 3-5)', kind: 'rules', where: rfm([1, 2], [3, 5]) },
  { id: 'rfm-hibernating', name: 'RFM: hibernating', description: 'long ago, rarely (R 1-2, F 1-2)', kind: 'rules', where: rfm([1, 2], [1, 2]) },
  { id: 'rfm-big-spenders', name: 'RFM: big spenders', description: 'top fifth by money spent (M 5)', kind: 'rules', where: rfm(null, null, [5, 5]) },
];

/**
 * One row per purchaser as of `asOf` (epoch seconds): recency_days, frequency, monetary and the scores r, f, m.
 * A score is 1 + ⌊5 × the share of purchasers strictly worse on that measure⌋ (worse: longer ago, fewer purchases,
 * less money): exact quintiles with ties sharing the lower score, so a population of one-time buyers is all F 1.
 * Without window functions the shares come from a sorted array of distinct values and their running counts.
 */
export function rfmScoresSql(database: string, asOf: number, o: RfmOptions): string {
  const db = ident(database);
  const purchases = `SELECT current_profile_id AS profile_id,
             intDiv(toInt64(${int(asOf)}) - toInt64(toUInt32(max(event_time))), 86400) AS recency_days,
             count() AS frequency,
             sum(revenue) AS monetary
      FROM ${db}.events_current
      WHERE type = 'track' AND event IN ${strList(o.purchaseEvents)} AND current_profile_id != ''
        AND event_time > toDateTime(${int(asOf - o.withinSeconds)}) AND event_time <= toDateTime(${int(asOf)})
      GROUP BY profile_id`;
  // value → how many purchasers have a strictly smaller value, and how many there are.
  const shares = (measure: string, key: string) => `SELECT v AS ${key}, below AS ${key}_below, total AS ${key}_total FROM
      (
        SELECT arraySort(groupArray((v, c))) AS vc, arrayCumSum(arrayMap(t -> tupleElement(t, 2), vc)) AS cum, sum(c) AS total
        FROM (SELECT ${measure} AS v, count() AS c FROM (${purchases}) GROUP BY v)
      )
      ARRAY JOIN arrayMap(t -> tupleElement(t, 1), vc) AS v, arrayMap((s, t) -> s - tupleElement(t, 2), cum, vc) AS below`;
  const score = (key: string) => `toUInt8(1 + floor(5 * ${key}_below / ${key}_total))`;
  return `SELECT profile_id, recency_days, frequency, monetary, r, f, ${score('mv')} AS m
FROM
(
  SELECT profile_id, recency_days, frequency, monetary, r, ${score('fv')} AS f, monetary AS mv
  FROM
  (
    SELECT profile_id, recency_days, frequency, monetary, ${score('rv')} AS r, frequency AS fv
    FROM (SELECT profile_id, recency_days, frequency, monetary, -recency_days AS rv FROM (${purchases})) AS p
    ANY LEFT JOIN (${shares('-recency_days', 'rv')}) AS sr USING rv
  ) AS pr
  ANY LEFT JOIN (${shares('frequency', 'fv')}) AS sf USING fv
) AS prf
ANY LEFT JOIN (${shares('monetary', 'mv')}) AS sm USING mv`;
}
