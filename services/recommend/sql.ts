// The recommender as ClickHouse SQL (pure text): implicit feedback → item-item cosine similarity → top N per profile,
// filled with popular items. Portable to 18.16 (no window functions: LIMIT BY, arraySort and ARRAY JOIN do the ranking).
import { ident, int, str, strList } from '../kit/sql.ts';

export interface RecommendOptions {
  /** Track event names of each kind of feedback. */
  events: { view: string[]; cart: string[]; purchase: string[] };
  /** Weight of one event of each kind. */
  weights: { view: number; cart: number; purchase: number };
  /** Properties naming the item of an event, first non-empty wins; the first one is also read from a `products` list. */
  itemProperties: string[];
  /** Most similar items kept per item. */
  neighbours: number;
  /** Heaviest items per profile used for similarity and scoring (bounds the self-join). */
  historyCap: number;
  /** Items recommended per profile. */
  topN: number;
  /** Shrinks the similarity of pairs few profiles share: sim × n / (n + shrink). */
  shrink: number;
  /** Leave out items the profile already interacted with. */
  excludeSeen: boolean;
  /** A profile × item cell's value from its summed weight: log(1 + weight), or 1 for any interaction. */
  value: 'log' | 'binary';
}

export const defaultRecommendOptions: RecommendOptions = {
  events: { view: ['Product Viewed'], cart: ['Product Added'], purchase: ['Order Completed'] },
  weights: { view: 1, cart: 3, purchase: 5 },
  itemProperties: ['product_id', 'sku'],
  neighbours: 50,
  historyCap: 100,
  topN: 10,
  shrink: 10,
  excludeSeen: true,
  value: 'log',
};

const num = (n: number): string => {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return String(n);
};

/**
 * Consent (docs/privacy.md): an event feeds recommendations when its consent allows personalisation or it said nothing
 * about consent; a profile whose current consent refuses personalisation gets none (its list is withdrawn at the next
 * run: a tombstone).
 */
const personalisationAllowed = "(consent_said = 0 OR has(consent_purposes, 'personalisation'))";

/**
 * Implicit feedback from events_current: one row per (event, item) with its weight, attributed to the profile the event
 * belongs to now (so merges regroup history at the next run). Columns: profile_id, item, w, event_ms.
 */
export function eventsSource(database: string, asOf: number, o: RecommendOptions): string {
  const db = ident(database);
  const prop = (p: string) => `property_values[indexOf(property_keys, ${str(p)})]`;
  const single = `multiIf(${o.itemProperties.map((p) => `${prop(p)} != '', [${prop(p)}]`).join(', ')}, emptyArrayString())`;
  const listed = `extractAll(${prop('products')}, ${str(`"${o.itemProperties[0]}":\\s*"([^"]+)"`)})`;
  const all = [...o.events.view, ...o.events.cart, ...o.events.purchase];
  return `SELECT current_profile_id AS profile_id, item,
       multiIf(event IN ${strList(o.events.purchase)}, ${num(o.weights.purchase)}, event IN ${strList(o.events.cart)}, ${num(o.weights.cart)}, ${num(o.weights.view)}) AS w,
       event_ms
FROM ${db}.events_current
ARRAY JOIN arrayConcat(${single}, ${listed}) AS item
WHERE type = 'track' AND event IN ${strList(all)} AND current_profile_id != '' AND event_time <= toDateTime(${int(asOf)})
  AND ${personalisationAllowed}`;
}

/** The active profiles: who gets recommendations (merged-away profiles never do). */
export const activeProfiles = (database: string): string => `SELECT profile_id FROM ${ident(database)}.profiles FINAL WHERE state = 'active'
  AND profile_id NOT IN (SELECT profile_id FROM ${ident(database)}.profile_consent WHERE personalisation = 0)`;

export interface RunSql {
  interactions: string;
  similarity: string;
  recommendations: string;
}

/**
 * The three INSERT … SELECT of one run, in order. `source` yields (profile_id, item, w, event_ms); `universe` yields the
 * profile_id of everyone to recommend to (profiles without interactions get popular items).
 */
export function runSql(database: string, run: number, source: string, universe: string, o: RecommendOptions): RunSql {
  const db = ident(database);
  const r = int(run);
  const mine = `${db}.rec_interactions WHERE run = ${r}`;
  // The heaviest items of each profile, each profile × item value (log(1 + weight) or 1) divided by the item's norm.
  const value = o.value === 'log' ? 'log(1 + weight)' : 'toFloat64(1)';
  const capped = `SELECT profile_id, item, ${value} AS v FROM ${mine} ORDER BY profile_id, weight DESC, item LIMIT ${int(o.historyCap)} BY profile_id`;
  const normalised = `SELECT profile_id, item, v / norm AS nv FROM (${capped}) AS c
    ANY LEFT JOIN (SELECT item, sqrt(sum(${value} * ${value})) AS norm FROM ${mine} GROUP BY item) AS n USING item`;
  const interactions = `INSERT INTO ${db}.rec_interactions (run, profile_id, item, weight, events, last_ms)
SELECT ${r}, profile_id, item, sum(w), toUInt32(count()), max(event_ms)
FROM (${source})
WHERE profile_id != '' AND item != ''
GROUP BY profile_id, item`;
  const similarity = `INSERT INTO ${db}.item_similarity (run, item, neighbour, similarity, together)
SELECT ${r}, item, neighbour, dot * together / (together + ${num(o.shrink)}) AS similarity, together
FROM
(
  SELECT item, neighbour, sum(nv * neighbour_nv) AS dot, toUInt32(count()) AS together
  FROM (${normalised}) AS a
  ALL INNER JOIN (SELECT profile_id, item AS neighbour, nv AS neighbour_nv FROM (${normalised})) AS b USING profile_id
  WHERE item != neighbour
  GROUP BY item, neighbour
)
ORDER BY item, similarity DESC, neighbour
LIMIT ${int(o.neighbours)} BY item`;
  const seen = `(profile_id, item) NOT IN (SELECT profile_id, item FROM ${mine})`;
  // Collaborative filtering: score(profile, j) = Σ over its items i of log(1 + weight_i) × similarity(i, j).
  const similar = `SELECT profile_id, candidate AS item, score FROM
    (
      SELECT profile_id, neighbour AS candidate, sum(v * similarity) AS score
      FROM (${capped}) AS h
      ALL INNER JOIN (SELECT item, neighbour, similarity FROM ${db}.item_similarity WHERE run = ${r}) AS s USING item
      GROUP BY profile_id, candidate
    )`;
  const pool = int(o.topN + (o.excludeSeen ? o.historyCap : 0));
  const popular = `SELECT item, toFloat64(uniqExact(profile_id)) AS popularity FROM ${mine} GROUP BY item ORDER BY popularity DESC, item LIMIT ${pool}`;
  const candidates = `SELECT profile_id, item, min(tier) AS best, argMin(score, tier) AS top_score
    FROM
    (
      SELECT profile_id, item, toUInt8(1) AS tier, score FROM (${similar}) WHERE profile_id IN (${universe})
      UNION ALL
      SELECT profile_id, item, toUInt8(2) AS tier, popularity AS score FROM (${universe}) AS u CROSS JOIN (${popular}) AS p
    )
    ${o.excludeSeen ? `WHERE ${seen}` : ''}
    GROUP BY profile_id, item`;
  const recommendations = `INSERT INTO ${db}.recommendations (run, profile_id, rank, item, score, source)
SELECT ${r}, profile_id, toUInt16(rank), tupleElement(x, 3), tupleElement(x, 2), if(tupleElement(x, 1) = 1, 'similar', 'popular')
FROM
(
  SELECT profile_id, arraySort(t -> (tupleElement(t, 1), -tupleElement(t, 2), tupleElement(t, 3)), groupArray((best, top_score, item))) AS ranked
  FROM (SELECT profile_id, item, best, top_score FROM (${candidates}) ORDER BY profile_id, best, top_score DESC, item LIMIT ${int(o.topN)} BY profile_id)
  GROUP BY profile_id
)
ARRAY JOIN ranked AS x, arrayEnumerate(ranked) AS rank`;
  return { interactions, similarity, recommendations };
}
