// The segment compiler: a validated definition → one ClickHouse SELECT of the member profile ids. Pure.
// Every condition is a set test on profile_id (IN / NOT IN a subquery over a current-profile view), so all / any / not
// compose as plain boolean logic and the SQL runs on 18.16 (no window functions, no query parameters) and 26.x alike.
import { ident, int, str, strList } from '../kit/sql.ts';
import { defaultRfm, type Condition, type Definitions, type EventFilter, type ListTest, type Measure, type NumberTest, type RfmOptions, type Segment, type TextTest, type TimeTest } from './definition.ts';
import { rfmScoresSql } from './rfm.ts';
import { allSegments } from './validate.ts';

export interface CompileContext {
  database: string;
  /** The instant time windows end at (epoch seconds): now for a refresh, fixed in tests and replays. */
  asOf: number;
  rfm: RfmOptions;
  /** Every segment a definition may reference, by id (validated: known ids, no cycles). */
  segments: ReadonlyMap<string, Segment>;
}

/** The context to compile a file's segments (its own and the RFM family) as of `asOf` (epoch seconds). */
export function compileContext(database: string, asOf: number, d: Definitions): CompileContext {
  return { database, asOf, rfm: d.rfm ?? defaultRfm, segments: new Map(allSegments(d).map((s) => [s.id, s])) };
}

/** A finite number as a SQL literal (ClickHouse reads 1e-7 and 12.5 alike). */
export function float(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return Object.is(n, -0) ? '0' : String(n);
}

const OPS = { eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function numberSql(x: string, t: NumberTest): string {
  return t.op === 'between' ? `${x} BETWEEN ${float(t.low)} AND ${float(t.high)}` : `${x} ${OPS[t.op]} ${float(t.value)}`;
}

/** Whether a profile with no rows at all (a measure of 0) passes the test. */
function zeroPasses(t: NumberTest): boolean {
  switch (t.op) {
    case 'between': return t.low <= 0 && 0 <= t.high;
    case 'eq': return t.value === 0;
    case 'ne': return t.value !== 0;
    case 'gt': return 0 > t.value;
    case 'gte': return 0 >= t.value;
    case 'lt': return 0 < t.value;
    case 'lte': return 0 <= t.value;
  }
}

/**
 * A test on a per-profile measure that is 0 for profiles the source has no row for (counts, sums): when 0 passes,
 * members are everyone except the profiles whose measure fails, so profiles without activity are not forgotten.
 */
function measured(source: string, x: string, t: NumberTest): string {
  return zeroPasses(t)
    ? `profile_id NOT IN (SELECT profile_id FROM (${source}) WHERE NOT (${numberSql(x, t)}))`
    : `profile_id IN (SELECT profile_id FROM (${source}) WHERE ${numberSql(x, t)})`;
}

const property = (name: string) => `property_values[indexOf(property_keys, ${str(name)})]`;

function windowSql(asOf: number, withinSeconds: number | null): string {
  const upper = `event_time <= toDateTime(${int(asOf)})`;
  return withinSeconds === null ? upper : `event_time > toDateTime(${int(asOf - withinSeconds)}) AND ${upper}`;
}

function filterSql(f: EventFilter): string[] {
  return [
    ...Object.entries(f.columns).map(([c, vs]) => `${ident(c)} IN ${strList(vs)}`),
    ...Object.entries(f.properties).map(([p, vs]) => `${property(p)} IN ${strList(vs)}`),
  ];
}

function measureSql(m: Measure): { x: string; where: string[] } {
  switch (m.kind) {
    case 'count': return { x: 'count()', where: [] };
    case 'sum': return { x: m.of === 'revenue' ? 'sum(revenue)' : `sum(toFloat64OrZero(${property(m.of.property)}))`, where: [] };
    case 'distinct': return { x: `uniqExact(${property(m.property)})`, where: [`${property(m.property)} != ''`] };
  }
  throw new Error(`unhandled measure ${JSON.stringify(m)}`);
}

type PositiveText = { op: 'eq' | 'contains' | 'starts_with'; value: string } | { op: 'in'; values: string[] } | { op: 'exists' } | { op: 'number'; test: NumberTest };

function textSql(x: string, t: PositiveText): string {
  switch (t.op) {
    case 'eq': return `${x} = ${str(t.value)}`;
    case 'in': return `${x} IN ${strList(t.values)}`;
    case 'contains': return `position(${x}, ${str(t.value)}) > 0`;
    case 'starts_with': return `startsWith(${x}, ${str(t.value)})`;
    case 'exists': return `${x} != ''`;
    case 'number': return numberSql(`toFloat64OrNull(${x})`, t.test);
  }
}

/** The positive form of a negative text test (ne → eq, not_in → in, missing → exists) and whether it was negated. */
function positive(t: TextTest): { t: PositiveText; negated: boolean } {
  if (t.op === 'ne') return { t: { op: 'eq', value: t.value }, negated: true };
  if (t.op === 'not_in') return { t: { op: 'in', values: t.values }, negated: true };
  if (t.op === 'missing') return { t: { op: 'exists' }, negated: true };
  return { t, negated: false };
}

function timeSql(x: string, t: TimeTest, asOf: number): { sql: string; negated: boolean } {
  switch (t.op) {
    case 'within': return { sql: `${x} > toDateTime(${int(asOf - t.seconds)})`, negated: false };
    case 'not_within': return { sql: `${x} > toDateTime(${int(asOf - t.seconds)})`, negated: true };
    case 'before': return { sql: `${x} < toDateTime(${int(t.at)})`, negated: false };
    case 'after': return { sql: `${x} > toDateTime(${int(t.at)})`, negated: false };
  }
}

function listSql(x: string, t: ListTest): { sql: string; negated: boolean } {
  if (t.op === 'has') return { sql: `has(${x}, ${str(t.values[0]!)})`, negated: false };
  return { sql: `hasAny(${x}, [${t.values.map(str).join(', ')}])`, negated: t.op === 'has_none' };
}

const inSet = (negated: boolean, subquery: string) => `profile_id ${negated ? 'NOT IN' : 'IN'} (${subquery})`;

/** The boolean SQL of a condition over a `profile_id` column. */
export function conditionSql(c: Condition, ctx: CompileContext, stack: readonly string[] = []): string {
  const db = ident(ctx.database);
  switch (c.kind) {
    case 'all': case 'any':
      return c.of.length === 1 ? conditionSql(c.of[0]!, ctx, stack) : c.of.map((x) => `(${conditionSql(x, ctx, stack)})`).join(c.kind === 'all' ? ' AND ' : ' OR ');
    case 'not': return `NOT (${conditionSql(c.of, ctx, stack)})`;
    case 'segment': return `profile_id IN (${segmentSql(c.segment, ctx, stack)})`;
    case 'trait': {
      const { t, negated } = positive(c.test);
      return inSet(negated, `SELECT profile_id FROM ${db}.profile_traits_current WHERE trait = ${str(c.trait)} AND ${textSql('value', t)}`);
    }
    case 'aggregate': {
      const totals = `${db}.profile_activity_totals`;
      switch (c.aggregate) {
        case 'events': case 'sessions': case 'revenue':
          return measured(`SELECT profile_id, ${c.aggregate} AS x FROM ${totals}`, 'x', c.test);
        case 'first_seen': case 'last_seen': {
          const { sql, negated } = timeSql(c.aggregate, c.test, ctx.asOf);
          return inSet(negated, `SELECT profile_id FROM ${totals} WHERE ${sql}`);
        }
        case 'countries': case 'device_types': {
          const { sql, negated } = listSql(c.aggregate, c.test);
          return inSet(negated, `SELECT profile_id FROM ${totals} WHERE ${sql}`);
        }
        case 'last_channel': {
          const { t, negated } = positive(c.test);
          return inSet(negated, `SELECT profile_id FROM ${totals} WHERE ${textSql('last_channel', t)}`);
        }
      }
      break;
    }
    case 'events': {
      const m = measureSql(c.measure);
      const where = ["current_profile_id != ''", ...filterSql(c.filter), ...m.where, windowSql(ctx.asOf, c.withinSeconds)];
      return measured(`SELECT current_profile_id AS profile_id, ${m.x} AS x FROM ${db}.events_current WHERE ${where.join(' AND ')} GROUP BY profile_id`, 'x', c.test);
    }
    case 'location': {
      const tests = ([['country', 1, c.country], ['region', 2, c.region], ['city', 3, c.city]] as const)
        .filter(([, , vs]) => vs !== null).map(([, i, vs]) => `tupleElement(loc, ${i}) IN ${strList(vs!)}`);
      return `profile_id IN (SELECT profile_id FROM (SELECT current_profile_id AS profile_id, argMax(tuple(country, region, city), event_ms) AS loc
        FROM ${db}.events_current WHERE current_profile_id != '' AND country != '' AND ${windowSql(ctx.asOf, c.withinSeconds)} GROUP BY profile_id) WHERE ${tests.join(' AND ')})`;
    }
    case 'device':
      return `profile_id IN (SELECT DISTINCT current_profile_id FROM ${db}.events_current WHERE current_profile_id != '' AND device_type IN ${strList(c.types)} AND ${windowSql(ctx.asOf, c.withinSeconds)})`;
    case 'rfm': {
      const bands = ([['r', c.r], ['f', c.f], ['m', c.m]] as const).filter(([, b]) => b !== null).map(([k, b]) => `${k} BETWEEN ${int(b!.low)} AND ${int(b!.high)}`);
      return `profile_id IN (SELECT profile_id FROM (${rfmScoresSql(ctx.database, ctx.asOf, ctx.rfm)}) WHERE ${bands.join(' AND ')})`;
    }
  }
  throw new Error(`unhandled condition ${JSON.stringify(c)}`);
}

/**
 * The members of a segment: active profiles (merged-away ones are never members) for which its condition holds.
 * A SQL-defined segment's own SELECT is intersected with them the same way.
 */
export function segmentSql(id: string, ctx: CompileContext, stack: readonly string[] = []): string {
  const s = ctx.segments.get(id);
  if (!s) throw new Error(`unknown segment ${id} (definitions are validated before compiling)`);
  if (stack.includes(id)) throw new Error(`segment cycle ${[...stack, id].join(' → ')} (definitions are validated before compiling)`);
  const db = ident(ctx.database);
  const where = s.kind === 'sql'
    ? `profile_id IN (SELECT profile_id FROM (${s.sql.replaceAll('{db}', db)}))`
    : conditionSql(s.where, ctx, [...stack, id]);
  return `SELECT profile_id FROM ${db}.profiles FINAL WHERE state = 'active' AND (${where})`;
}
