// The segment definition format (docs/segments.md): YAML or JSON text → typed definitions, or every problem found.
// Pure: shapes are checked here with zod; names are checked against the warehouse's catalog in validate.ts.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** A problem with a definition file: where (a path such as `segments[2] (vip).where.all[0].trait`) and what. */
export interface Problem { path: string; message: string }

export type NumberTest =
  | { op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte'; value: number }
  | { op: 'between'; low: number; high: number };

export type TextTest =
  | { op: 'eq' | 'contains' | 'starts_with'; value: string }
  | { op: 'ne'; value: string }
  | { op: 'in'; values: string[] }
  | { op: 'not_in'; values: string[] }
  | { op: 'exists' }
  | { op: 'missing' }
  | { op: 'number'; test: NumberTest };

export type TimeTest =
  | { op: 'within' | 'not_within'; seconds: number }
  | { op: 'before' | 'after'; at: number };

export type ListTest = { op: 'has' | 'has_any' | 'has_none'; values: string[] };

/** Lifetime measures of profile_activity_totals. */
export const NUMERIC_AGGREGATES = ['events', 'sessions', 'revenue'] as const;
export const TIME_AGGREGATES = ['first_seen', 'last_seen'] as const;
export const LIST_AGGREGATES = ['countries', 'device_types'] as const;
export const TEXT_AGGREGATES = ['last_channel'] as const;
export type Aggregate = (typeof NUMERIC_AGGREGATES | typeof TIME_AGGREGATES | typeof LIST_AGGREGATES | typeof TEXT_AGGREGATES)[number];

/** Columns of events_current an event filter may test (documented in docs/analyst-guide.md). */
export const EVENT_COLUMNS = [
  'type', 'event', 'name', 'source', 'page_path', 'utm_source', 'utm_medium', 'utm_campaign',
  'device_type', 'os_name', 'app_name', 'country', 'region', 'city', 'currency',
] as const;
export type EventColumn = (typeof EVENT_COLUMNS)[number];

export interface EventFilter {
  /** column → accepted values (any of). */
  columns: Partial<Record<EventColumn, string[]>>;
  /** property name → accepted values (any of). */
  properties: Record<string, string[]>;
}

export type Measure = { kind: 'count' } | { kind: 'sum'; of: 'revenue' | { property: string } } | { kind: 'distinct'; property: string };

export interface Range { low: number; high: number }

export type Condition =
  | { kind: 'all' | 'any'; of: Condition[] }
  | { kind: 'not'; of: Condition }
  | { kind: 'trait'; trait: string; test: TextTest }
  | { kind: 'aggregate'; aggregate: (typeof NUMERIC_AGGREGATES)[number]; test: NumberTest }
  | { kind: 'aggregate'; aggregate: (typeof TIME_AGGREGATES)[number]; test: TimeTest }
  | { kind: 'aggregate'; aggregate: (typeof LIST_AGGREGATES)[number]; test: ListTest }
  | { kind: 'aggregate'; aggregate: (typeof TEXT_AGGREGATES)[number]; test: TextTest }
  | { kind: 'events'; filter: EventFilter; withinSeconds: number | null; measure: Measure; test: NumberTest }
  | { kind: 'location'; country: string[] | null; region: string[] | null; city: string[] | null; withinSeconds: number | null }
  | { kind: 'device'; types: string[]; withinSeconds: number | null }
  | { kind: 'segment'; segment: string }
  | { kind: 'rfm'; r: Range | null; f: Range | null; m: Range | null };

export interface RfmOptions {
  /** Track event names that count as purchases. */
  purchaseEvents: string[];
  /** Purchases older than this do not count (seconds). */
  withinSeconds: number;
}

export type Segment =
  | { id: string; name: string; description: string; kind: 'rules'; where: Condition }
  | { id: string; name: string; description: string; kind: 'sql'; sql: string };

export interface Definitions {
  segments: Segment[];
  /** Names declared ahead of the data (valid even before the warehouse has seen them). */
  known: { traits: string[]; events: string[]; properties: string[] };
  /** Present when the file enables the built-in RFM family. */
  rfm: RfmOptions | null;
}

export type Parsed = { ok: true; definitions: Definitions } | { ok: false; problems: Problem[] };

export const SEGMENT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const DURATION = /^(\d+)(m|h|d|w)$/;
const UNIT_SECONDS = { m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** '30d' → seconds; null when it is not a duration. */
export function durationSeconds(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const n = Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
  return n > 0 && Number.isSafeInteger(n) ? n : null;
}

const name = z.string({ error: 'expected a name (text)' }).min(1, 'must not be empty').max(200, 'at most 200 characters');
const text = z.union([z.string(), z.number(), z.boolean()], { error: 'expected text, a number or true/false' }).transform(String);
const texts = z.union([text.transform((t) => [t]), z.array(text).min(1, 'list must not be empty')], { error: 'expected a value or a list of values' });
const num = z.number({ error: 'expected a number' }).refine(Number.isFinite, 'expected a finite number');
const duration = z.string({ error: 'expected a duration such as 30d, 12h, 2w or 90m' })
  .refine((s) => durationSeconds(s) !== null, 'expected a duration such as 30d, 12h, 2w or 90m').transform((s) => durationSeconds(s)!);
const instant = z.string({ error: 'expected an ISO date or date-time (2026-01-31 or 2026-01-31T12:00:00Z)' })
  .refine((s) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && Number.isFinite(Date.parse(s)),
    'expected an ISO date or date-time (2026-01-31 or 2026-01-31T12:00:00Z)')
  .transform((s) => Math.floor(Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(s) || s.length === 10 ? s : `${s}Z`) / 1000));
const pair = z.tuple([num, num], { error: 'expected [low, high]' }).refine(([a, b]) => a <= b, 'low must not be above high');
const score = z.union([z.number().int().min(1).max(5).transform((n): Range => ({ low: n, high: n })),
  z.tuple([z.number().int().min(1).max(5), z.number().int().min(1).max(5)]).refine(([a, b]) => a <= b, 'low must not be above high')
    .transform(([low, high]): Range => ({ low, high }))], { error: 'expected a score 1-5 or a range [low, high] of scores' });

const NUMBER_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between'] as const;
const numberOps = { eq: num.optional(), ne: num.optional(), gt: num.optional(), gte: num.optional(), lt: num.optional(), lte: num.optional(), between: pair.optional() };
const TEXT_OPS = ['eq', 'ne', 'in', 'not_in', 'contains', 'starts_with', 'exists', 'missing', 'gt', 'gte', 'lt', 'lte', 'between'] as const;
const textOps = {
  eq: text.optional(), ne: text.optional(), in: texts.optional(), not_in: texts.optional(), contains: text.optional(), starts_with: text.optional(),
  exists: z.literal(true, { error: 'exists takes true (use missing: true for the opposite)' }).optional(),
  missing: z.literal(true, { error: 'missing takes true (use exists: true for the opposite)' }).optional(),
  gt: num.optional(), gte: num.optional(), lt: num.optional(), lte: num.optional(), between: pair.optional(),
};
const TIME_OPS = ['within', 'not_within', 'before', 'after'] as const;
const timeOps = { within: duration.optional(), not_within: duration.optional(), before: instant.optional(), after: instant.optional() };
const LIST_OPS = ['has', 'has_any', 'has_none'] as const;
const listOps = { has: text.optional(), has_any: texts.optional(), has_none: texts.optional() };

type Ops = Record<string, unknown>;

/** The one operator a condition carries (problems when none or several). */
function oneOp(o: Ops, allowed: readonly string[], path: string, problems: Problem[]): string | null {
  const present = allowed.filter((k) => o[k] !== undefined);
  if (present.length === 1) return present[0]!;
  problems.push({ path, message: present.length === 0 ? `needs one test: ${allowed.join(', ')}` : `has several tests (${present.join(', ')}); use all: [...] to combine them` });
  return null;
}

function numberTest(op: string, o: Ops): NumberTest {
  if (op === 'between') { const [low, high] = o.between as [number, number]; return { op, low, high }; }
  return { op: op as Exclude<NumberTest['op'], 'between'>, value: o[op] as number };
}

function textTest(op: string, o: Ops): TextTest {
  if (op === 'exists' || op === 'missing') return { op };
  if (op === 'in' || op === 'not_in') return { op, values: o[op] as string[] };
  if (op === 'ne') return { op, value: o[op] as string };
  if ((NUMBER_OPS as readonly string[]).includes(op) && op !== 'eq') return { op: 'number', test: numberTest(op, o) };
  return { op: op as 'eq' | 'contains' | 'starts_with', value: o[op] as string };
}

function timeTest(op: string, o: Ops): TimeTest {
  return op === 'within' || op === 'not_within' ? { op, seconds: o[op] as number } : { op: op as 'before' | 'after', at: o[op] as number };
}

const listTest = (op: string, o: Ops): ListTest => ({ op: op as ListTest['op'], values: typeof o[op] === 'string' ? [o[op] as string] : o[op] as string[] });

const KIND_SCHEMAS = {
  trait: z.strictObject({ trait: name, ...textOps }),
  aggregate: z.strictObject({
    aggregate: z.enum([...NUMERIC_AGGREGATES, ...TIME_AGGREGATES, ...LIST_AGGREGATES, ...TEXT_AGGREGATES],
      { error: `unknown aggregate; known: ${[...NUMERIC_AGGREGATES, ...TIME_AGGREGATES, ...LIST_AGGREGATES, ...TEXT_AGGREGATES].join(', ')}` }),
    ...numberOps, ...timeOps, ...listOps, in: texts.optional(), not_in: texts.optional(), eq: z.union([num, text]).optional(), ne: z.union([num, text]).optional(),
  }),
  events: z.strictObject({
    events: z.record(z.string(), z.unknown(), { error: 'expected the events to count: { event: Order Completed, source: web, properties: { … } }' }),
    within: duration.optional(),
    count: z.strictObject(numberOps).optional(),
    sum: z.strictObject({ of: name, ...numberOps }).optional(),
    distinct: z.strictObject({ of: name, ...numberOps }).optional(),
  }),
  location: z.strictObject({
    location: z.strictObject({ country: texts.optional(), region: texts.optional(), city: texts.optional() }, { error: 'expected { country, region, city }' })
      .refine((l) => l.country || l.region || l.city, 'give at least one of country, region, city'),
    within: duration.optional(),
  }),
  device: z.strictObject({ device: texts, within: duration.optional() }),
  segment: z.strictObject({ segment: z.string({ error: 'expected a segment id' }) }),
  rfm: z.strictObject({ rfm: z.strictObject({ r: score.optional(), f: score.optional(), m: score.optional() }, { error: 'expected { r, f, m } scores' })
    .refine((s) => s.r || s.f || s.m, 'give at least one of r, f, m') }),
  all: z.strictObject({ all: z.array(z.unknown(), { error: 'expected a list of conditions' }).min(1, 'list must not be empty') }),
  any: z.strictObject({ any: z.array(z.unknown(), { error: 'expected a list of conditions' }).min(1, 'list must not be empty') }),
  not: z.strictObject({ not: z.unknown() }),
};
type Kind = keyof typeof KIND_SCHEMAS;
const KINDS = Object.keys(KIND_SCHEMAS) as Kind[];

const issuePath = (base: string, p: readonly PropertyKey[]) => p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : `${acc}.${String(k)}`), base);

function zodProblems(base: string, error: z.ZodError, out: Problem[]): void {
  for (const i of error.issues) {
    if (i.code === 'invalid_union' && i.errors.length > 0 && i.message === 'Invalid input') {
      out.push({ path: issuePath(base, i.path), message: i.errors[0]![0]?.message ?? i.message });
    } else out.push({ path: issuePath(base, i.path), message: i.message });
  }
}

function eventFilter(raw: Record<string, unknown>, path: string, problems: Problem[]): EventFilter {
  const filter: EventFilter = { columns: {}, properties: {} };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'properties') {
      const p = z.record(z.string(), texts, { error: 'expected { property: value or [values] }' }).safeParse(v);
      if (p.success) filter.properties = p.data; else zodProblems(`${path}.properties`, p.error, problems);
    } else if ((EVENT_COLUMNS as readonly string[]).includes(k)) {
      const p = texts.safeParse(v);
      if (p.success) filter.columns[k as EventColumn] = p.data; else zodProblems(`${path}.${k}`, p.error, problems);
    } else problems.push({ path: `${path}.${k}`, message: `unknown event field; known: ${EVENT_COLUMNS.join(', ')}, properties` });
  }
  return filter;
}

/** One condition from its raw form; null (with problems) when it is not valid. */
export function parseCondition(raw: unknown, path: string, problems: Problem[]): Condition | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ path, message: `expected a condition (an object with one of: ${KINDS.join(', ')})` });
    return null;
  }
  const kinds = KINDS.filter((k) => k in raw);
  if (kinds.length !== 1) {
    problems.push({ path, message: kinds.length === 0
      ? `unknown condition (keys ${Object.keys(raw).join(', ') || 'none'}); a condition has one of: ${KINDS.join(', ')}`
      : `mixes ${kinds.join(' and ')}; use all: [...] to combine conditions` });
    return null;
  }
  const kind = kinds[0]!;
  const before = problems.length;
  const parsed = KIND_SCHEMAS[kind].safeParse(raw);
  if (!parsed.success) { zodProblems(path, parsed.error, problems); return null; }
  const o = parsed.data as Ops;
  switch (kind) {
    case 'all': case 'any': {
      const of = (o[kind] as unknown[]).map((c, i) => parseCondition(c, `${path}.${kind}[${i}]`, problems));
      return problems.length > before ? null : { kind, of: of as Condition[] };
    }
    case 'not': {
      const of = parseCondition(o.not, `${path}.not`, problems);
      return of ? { kind, of } : null;
    }
    case 'trait': {
      const op = oneOp(o, TEXT_OPS, path, problems);
      return op ? { kind, trait: o.trait as string, test: textTest(op, o) } : null;
    }
    case 'aggregate': {
      const aggregate = o.aggregate as Aggregate;
      const nameOf = (ops: readonly string[]) => {
        const stray = Object.keys(o).filter((k) => k !== 'aggregate' && o[k] !== undefined && !ops.includes(k));
        if (stray.length > 0) { problems.push({ path, message: `${stray.join(', ')} does not apply to ${aggregate}; its tests: ${ops.join(', ')}` }); return null; }
        return oneOp(o, ops, path, problems);
      };
      if ((NUMERIC_AGGREGATES as readonly string[]).includes(aggregate)) {
        const op = nameOf(NUMBER_OPS);
        if (op && typeof o[op] === 'string') { problems.push({ path: `${path}.${op}`, message: `${aggregate} is a number` }); return null; }
        return op ? { kind, aggregate: aggregate as (typeof NUMERIC_AGGREGATES)[number], test: numberTest(op, o) } : null;
      }
      if ((TIME_AGGREGATES as readonly string[]).includes(aggregate)) {
        const op = nameOf(TIME_OPS);
        return op ? { kind, aggregate: aggregate as (typeof TIME_AGGREGATES)[number], test: timeTest(op, o) } : null;
      }
      if ((LIST_AGGREGATES as readonly string[]).includes(aggregate)) {
        const op = nameOf(LIST_OPS);
        return op ? { kind, aggregate: aggregate as (typeof LIST_AGGREGATES)[number], test: listTest(op, o) } : null;
      }
      const op = nameOf(['eq', 'ne', 'in', 'not_in']);
      return op ? { kind, aggregate: 'last_channel', test: textTest(op, { ...o, [op]: op === 'eq' || op === 'ne' ? String(o[op]) : o[op] }) } : null;
    }
    case 'events': {
      const filter = eventFilter(o.events as Record<string, unknown>, `${path}.events`, problems);
      const measures = (['count', 'sum', 'distinct'] as const).filter((m) => o[m] !== undefined);
      if (measures.length !== 1) {
        problems.push({ path, message: measures.length === 0 ? 'needs one measure: count, sum or distinct (e.g. count: { gte: 1 })' : `has several measures (${measures.join(', ')})` });
        return null;
      }
      const m = measures[0]!;
      const mo = o[m] as Ops;
      const op = oneOp(mo, NUMBER_OPS, `${path}.${m}`, problems);
      if (!op || problems.length > before) return null;
      const of = mo.of as string | undefined;
      const measure: Measure = m === 'count' ? { kind: 'count' }
        : m === 'sum' ? { kind: 'sum', of: of === 'revenue' ? 'revenue' : { property: of! } } : { kind: 'distinct', property: of! };
      return { kind, filter, withinSeconds: (o.within as number | undefined) ?? null, measure, test: numberTest(op, mo) };
    }
    case 'location': {
      const l = o.location as { country?: string[]; region?: string[]; city?: string[] };
      return { kind, country: l.country ?? null, region: l.region ?? null, city: l.city ?? null, withinSeconds: (o.within as number | undefined) ?? null };
    }
    case 'device': return { kind, types: o.device as string[], withinSeconds: (o.within as number | undefined) ?? null };
    case 'segment': return { kind, segment: o.segment as string };
    case 'rfm': {
      const s = o.rfm as { r?: Range; f?: Range; m?: Range };
      return { kind, r: s.r ?? null, f: s.f ?? null, m: s.m ?? null };
    }
  }
}

const segmentSchema = z.strictObject({
  id: z.string({ error: 'expected an id' }).regex(SEGMENT_ID, 'ids are lower-case letters, digits, - and _ (at most 63), starting with a letter or digit'),
  name: name.optional(),
  description: z.string().max(2000).optional(),
  where: z.unknown().optional(),
  sql: z.string({ error: 'expected a SELECT returning profile_id' }).min(1).optional(),
});

const fileSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1' }).optional(),
  known: z.strictObject({ traits: z.array(name).optional(), events: z.array(name).optional(), properties: z.array(name).optional() }).optional(),
  rfm: z.union([z.null(), z.strictObject({
    purchase_events: texts.optional(),
    within: duration.optional(),
  })]).optional(),
  segments: z.array(z.unknown(), { error: 'expected a list of segments' }),
});

export const defaultRfm: RfmOptions = { purchaseEvents: ['Order Completed'], withinSeconds: 365 * 86_400 };

/** Parses YAML (or JSON, which is YAML) definition text; structural problems only (names: see validate.ts). */
export function parseDefinitions(source: string): Parsed {
  const problems: Problem[] = [];
  let raw: unknown;
  try {
    raw = parseYaml(source, { prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    return { ok: false, problems: [{ path: '(file)', message: `not YAML or JSON: ${(err as Error).message.split('\n')[0]}` }] };
  }
  const file = fileSchema.safeParse(raw ?? {});
  if (!file.success) zodProblems('', file.error, problems);
  const segments: Segment[] = [];
  const seen = new Map<string, number>();
  const rawSegments = file.success ? file.data.segments : Array.isArray((raw as { segments?: unknown } | null)?.segments) ? (raw as { segments: unknown[] }).segments : [];
  rawSegments.forEach((item, i) => {
    const id = (item as { id?: unknown } | null)?.id;
    const path = typeof id === 'string' && SEGMENT_ID.test(id) ? `segments[${i}] (${id})` : `segments[${i}]`;
    const parsed = segmentSchema.safeParse(item);
    // The conditions are checked even when the segment's own fields are not, so every problem is listed at once.
    if (!parsed.success) {
      zodProblems(path, parsed.error, problems);
      const where = (item as { where?: unknown } | null)?.where;
      if (where !== undefined) parseCondition(where, `${path}.where`, problems);
      return;
    }
    const s = parsed.data;
    if (seen.has(s.id)) problems.push({ path: `${path}.id`, message: `duplicate id; segments[${seen.get(s.id)}] has it too` });
    seen.set(s.id, i);
    if (s.id.startsWith('rfm-')) problems.push({ path: `${path}.id`, message: 'ids starting with rfm- are the built-in RFM family\'s' });
    const common = { id: s.id, name: s.name ?? s.id, description: s.description ?? '' };
    if ((s.where === undefined) === (s.sql === undefined)) {
      problems.push({ path, message: 'needs exactly one of where (conditions) or sql (a SELECT returning profile_id)' });
      return;
    }
    if (s.sql !== undefined) {
      const sql = s.sql.trim().replace(/;\s*$/, '');
      if (!/^(select|with)\b/i.test(sql)) problems.push({ path: `${path}.sql`, message: 'must be a SELECT (or WITH … SELECT) returning a profile_id column' });
      else if (sql.includes(';')) problems.push({ path: `${path}.sql`, message: 'must be one statement (no ;)' });
      else segments.push({ ...common, kind: 'sql', sql });
      return;
    }
    const where = parseCondition(s.where, `${path}.where`, problems);
    if (where) segments.push({ ...common, kind: 'rules', where });
  });
  if (problems.length > 0 || !file.success) return { ok: false, problems: problems.map((p) => ({ ...p, path: p.path.replace(/^\./, '') || '(file)' })) };
  const k = file.data.known ?? {};
  const r = file.data.rfm;
  return {
    ok: true,
    definitions: {
      segments,
      known: { traits: k.traits ?? [], events: k.events ?? [], properties: k.properties ?? [] },
      rfm: r === undefined ? null : { purchaseEvents: r?.purchase_events ?? defaultRfm.purchaseEvents, withinSeconds: r?.within ?? defaultRfm.withinSeconds },
    },
  };
}
