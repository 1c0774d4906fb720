// One segment refresh: check the definitions, evaluate each segment in ClickHouse, diff against stored membership,
// publish the changed profiles' membership, then store the changes. Publishing first means a crash between the two
// repeats the same changes next time (the topic keeps the latest record per profile) instead of losing them.
import type { Logger } from '../kit/log.ts';
import { compileContext, segmentSql } from './compile.ts';
import type { Definitions, Problem, Segment } from './definition.ts';
import { planRefresh, type MembershipRecord } from './membership.ts';
import type { SegmentStore } from './store.ts';
import { allSegments, checkDefinitions } from './validate.ts';

export interface Publisher { publish(records: readonly MembershipRecord[]): Promise<void> }

export interface SegmentReport { id: string; members: number; entered: number; exited: number }

export type RefreshResult =
  | { ok: true; at: number; asOf: number; segments: SegmentReport[]; retired: string[]; records: number; tookMs: number }
  | { ok: false; problems: Problem[] };

/** Path prefix of a segment in problems, as the parser writes it. */
export const pathOf = (d: Definitions) => (id: string): string => {
  const i = d.segments.findIndex((s) => s.id === id);
  return i >= 0 ? `segments[${i}] (${id})` : id;
};

/** Names, references and analyst SQL checked against the warehouse: every problem at once. */
export async function checkAgainstWarehouse(d: Definitions, store: SegmentStore): Promise<{ ok: true; order: string[] } | { ok: false; problems: Problem[] }> {
  const checked = checkDefinitions(d, await store.catalog());
  const sqlProblems = await store.checkSql(d.segments, pathOf(d));
  if (!checked.ok || sqlProblems.length > 0) return { ok: false, problems: [...(checked.ok ? [] : checked.problems), ...sqlProblems] };
  return { ok: true, order: checked.order };
}

export async function refreshSegments(deps: { store: SegmentStore; publisher: Publisher; database: string; log: Logger; now: () => number },
  d: Definitions, opts: { only?: readonly string[]; asOf?: number } = {}): Promise<RefreshResult> {
  const started = deps.now();
  const checked = await checkAgainstWarehouse(d, deps.store);
  if (!checked.ok) return checked;
  const unknown = (opts.only ?? []).filter((id) => !checked.order.includes(id));
  if (unknown.length > 0) return { ok: false, problems: unknown.map((id) => ({ path: '--segment', message: `unknown segment ${JSON.stringify(id)}` })) };

  // Instants increase from refresh to refresh, so a membership row of a later refresh always wins.
  const at = Math.max(deps.now(), (await deps.store.lastRefresh()) + 1);
  const asOf = opts.asOf ?? Math.floor(at / 1000);
  const ctx = compileContext(deps.database, asOf, d);
  const ids = opts.only ? checked.order.filter((id) => opts.only!.includes(id)) : checked.order;
  const evaluated = new Map<string, Set<string>>();
  const compiled = new Map<string, string>();
  for (const id of ids) {
    const sql = segmentSql(id, ctx);
    compiled.set(id, sql);
    evaluated.set(id, await deps.store.members(sql));
    deps.log.debug({ segment: id, members: evaluated.get(id)!.size }, 'segment evaluated');
  }
  const previous = await deps.store.membership();
  const defined = await deps.store.definedSegments();
  const current = new Set(allSegments(d).map((s) => s.id));
  // A full refresh retires segments whose definitions are gone; a refresh of a few segments leaves the others alone.
  const retired = opts.only ? [] : [...new Set([...previous.keys(), ...defined.keys()])].filter((id) => !current.has(id)).sort();

  const leaving = new Set<string>();
  for (const [id, now] of evaluated) for (const p of previous.get(id)?.keys() ?? []) if (!now.has(p)) leaving.add(p);
  const survivors = await deps.store.survivors([...leaving]);
  const plan = planRefresh({ at, evaluated, retired, previous, survivors });

  await deps.publisher.publish(plan.records);
  await deps.store.writeChanges(plan.changes);
  const changedDefinitions = ids.filter((id) => defined.get(id) !== definitionJson(ctx.segments.get(id)!))
    .map((id) => ({ id, segment: ctx.segments.get(id)!, definition: definitionJson(ctx.segments.get(id)!), compiledSql: compiled.get(id)!, retired: false }));
  const retiredDefinitions = retired.filter((id) => defined.has(id) || previous.has(id))
    .map((id) => ({ id, segment: null, definition: defined.get(id) ?? '', compiledSql: '', retired: true }));
  await deps.store.writeDefinitions([...changedDefinitions, ...retiredDefinitions], at);
  const count = (id: string, kind: 'entered' | 'exited') => plan.changes.filter((c) => c.segmentId === id && c.change === kind).length;
  const segments = ids.map((id) => ({ id, members: evaluated.get(id)!.size, entered: count(id, 'entered'), exited: count(id, 'exited') }));
  const tookMs = deps.now() - started;
  await deps.store.writeRefresh({
    at, asOf, segments: ids.length, tookMs,
    entered: plan.changes.filter((c) => c.change === 'entered').length, exited: plan.changes.filter((c) => c.change === 'exited').length,
  });
  return { ok: true, at, asOf, segments, retired, records: plan.records.length, tookMs };
}

/** A segment's definition as stored (and compared, to write a definition row only when it changed). */
export function definitionJson(s: Segment): string {
  return JSON.stringify(s.kind === 'sql' ? { sql: s.sql, name: s.name, description: s.description } : { where: s.where, name: s.name, description: s.description });
}
