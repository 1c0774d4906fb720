// Names in segment definitions checked against what the warehouse knows (plus what the file declares): unknown traits,
// events, properties and segments, and cycles between segments, each reported with where it is. Pure.
import type { Condition, Definitions, Problem, Segment } from './definition.ts';
import { RFM_FAMILY } from './rfm.ts';

/** What the warehouse has seen: trait names, track event names and property names. */
export interface Catalog { traits: ReadonlySet<string>; events: ReadonlySet<string>; properties: ReadonlySet<string> }

export type Checked = { ok: true; segments: Map<string, Segment>; order: string[] } | { ok: false; problems: Problem[] };

/** Every segment a refresh evaluates: the file's, plus the RFM family when the file enables it. */
export function allSegments(d: Definitions): Segment[] {
  return [...d.segments, ...(d.rfm ? RFM_FAMILY : [])];
}

function closest(name: string, known: ReadonlySet<string>): string {
  const lower = name.toLowerCase();
  const near = [...known].filter((k) => k.toLowerCase() === lower || distance(k.toLowerCase(), lower) <= 2).slice(0, 3);
  if (near.length > 0) return `; did you mean ${near.map((n) => JSON.stringify(n)).join(' or ')}?`;
  const sample = [...known].sort().slice(0, 12);
  return sample.length === 0 ? ' (the warehouse has none yet: declare it under known: if it is on its way)' : `; known: ${sample.join(', ')}${known.size > sample.length ? ', …' : ''}`;
}

/** Levenshtein distance, for "did you mean" (names are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function walk(c: Condition, path: string, visit: (c: Condition, path: string) => void): void {
  visit(c, path);
  if (c.kind === 'all' || c.kind === 'any') c.of.forEach((x, i) => walk(x, `${path}.${c.kind}[${i}]`, visit));
  if (c.kind === 'not') walk(c.of, `${path}.not`, visit);
}

/** Checks names and references; on success gives the segments by id and an order where references come first. */
export function checkDefinitions(d: Definitions, catalog: Catalog): Checked {
  const problems: Problem[] = [];
  const segments = new Map(allSegments(d).map((s) => [s.id, s]));
  const union = (seen: ReadonlySet<string>, declared: string[]) => new Set([...seen, ...declared]);
  const traits = union(catalog.traits, d.known.traits);
  const events = union(catalog.events, d.known.events);
  const properties = union(catalog.properties, d.known.properties);
  const refs = new Map<string, string[]>();
  d.segments.forEach((s, i) => {
    const base = `segments[${i}] (${s.id})`;
    const out: string[] = [];
    refs.set(s.id, out);
    if (s.kind !== 'rules') return;
    walk(s.where, `${base}.where`, (c, path) => {
      const unknown = (what: string, name: string, known: ReadonlySet<string>, at: string) => {
        if (!known.has(name)) problems.push({ path: at, message: `unknown ${what} ${JSON.stringify(name)}${closest(name, known)}` });
      };
      if (c.kind === 'trait') unknown('trait', c.trait, traits, `${path}.trait`);
      if (c.kind === 'segment') {
        if (!segments.has(c.segment)) {
          const hint = c.segment.startsWith('rfm-') && !d.rfm ? ' (the RFM family is off: add rfm: to the file)' : closest(c.segment, new Set(segments.keys()));
          problems.push({ path: `${path}.segment`, message: `unknown segment ${JSON.stringify(c.segment)}${hint}` });
        } else out.push(c.segment);
      }
      if (c.kind === 'events') {
        for (const e of c.filter.columns.event ?? []) unknown('event', e, events, `${path}.events.event`);
        for (const p of Object.keys(c.filter.properties)) unknown('property', p, properties, `${path}.events.properties.${p}`);
        const m = c.measure;
        if (m.kind === 'distinct') unknown('property', m.property, properties, `${path}.distinct.of`);
        if (m.kind === 'sum' && m.of !== 'revenue') unknown('property', m.of.property, properties, `${path}.sum.of`);
      }
    });
  });
  if (d.rfm) for (const e of d.rfm.purchaseEvents) if (!events.has(e)) problems.push({ path: 'rfm.purchase_events', message: `unknown event ${JSON.stringify(e)}${closest(e, events)}` });
  for (const s of RFM_FAMILY) refs.set(s.id, []);

  // Depth-first order with cycle detection: a segment comes after every segment it references.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      const at = d.segments.findIndex((s) => s.id === id);
      problems.push({ path: `segments[${at}] (${id})`, message: `segments reference each other in a cycle: ${cycle.join(' → ')}` });
      return;
    }
    state.set(id, 'visiting');
    for (const r of refs.get(id) ?? []) visit(r, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of segments.keys()) visit(id, []);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, segments, order };
}
