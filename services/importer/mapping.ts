// The import mapping file: which columns become which touchpoint fields, validated with zod (pure).
import { z } from 'zod';

/** A column name, a template over columns ("{{First}} {{Last}}"), or a typed column / literal value. */
const valueSpec = z.union([
  z.string().min(1, 'a column name must not be empty'),
  z.object({
    column: z.string().min(1),
    as: z.enum(['string', 'number', 'boolean', 'json']).default('string'),
  }).strict(),
  z.object({ value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict(),
]);

export const mappingSchema = z.object({
  type: z.enum(['identify', 'track', 'page', 'screen', 'group']),
  source: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case letters, digits, - or _ (e.g. "crm")'),
  /** Track: the event name, a literal ("Ticket Created") or { column }. */
  event: z.union([z.string().min(1), z.object({ column: z.string().min(1) }).strict()]).optional(),
  name: valueSpec.optional(),
  /** Default: derived from the file name and line number, so re-importing the same file dedupes. */
  messageId: valueSpec.optional(),
  userId: valueSpec.optional(),
  anonymousId: valueSpec.optional(),
  groupId: valueSpec.optional(),
  timestamp: valueSpec.optional(),
  traits: z.record(z.string(), valueSpec).default({}),
  properties: z.record(z.string(), valueSpec).default({}),
  context: z.record(z.string(), valueSpec).default({}),
  externalIds: z.array(z.object({ type: z.string().min(1), column: valueSpec, collection: z.string().optional() }).strict()).default([]),
}).strict().superRefine((m, ctx) => {
  if (m.type === 'track' && !m.event) ctx.addIssue({ code: 'custom', path: ['event'], message: 'a track mapping needs an event name, e.g. "event": "Ticket Created"' });
  if (m.type === 'group' && !m.groupId) ctx.addIssue({ code: 'custom', path: ['groupId'], message: 'a group mapping needs a groupId column' });
  const identified = m.userId || m.anonymousId || m.traits.email || m.traits.phone || m.externalIds.length > 0;
  if (!identified) {
    ctx.addIssue({ code: 'custom', path: [], message: 'map at least one identifier: userId, anonymousId, traits.email, traits.phone or externalIds' });
  }
});

export type Mapping = z.infer<typeof mappingSchema>;
export type ValueSpec = z.infer<typeof valueSpec>;

export type ParsedMapping = { ok: true; mapping: Mapping } | { ok: false; problems: string[] };

export function parseMapping(text: string): ParsedMapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`mapping is not valid JSON: ${(err as Error).message}`] };
  }
  const r = mappingSchema.safeParse(json);
  if (r.success) return { ok: true, mapping: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(mapping)'}: ${i.message}`) };
}

const TEMPLATE = /\{\{\s*([^}]+?)\s*\}\}/g;

/** Every column a mapping reads, to check against a CSV header before the first row. */
export function referencedColumns(m: Mapping): string[] {
  const cols = new Set<string>();
  const add = (v: ValueSpec | undefined) => {
    if (v === undefined) return;
    if (typeof v === 'string') {
      const inTemplate = [...v.matchAll(TEMPLATE)].map((x) => x[1]!);
      for (const c of inTemplate.length ? inTemplate : [v]) cols.add(c);
    } else if ('column' in v) cols.add(v.column);
  };
  [m.name, m.messageId, m.userId, m.anonymousId, m.groupId, m.timestamp].forEach(add);
  if (m.event && typeof m.event === 'object') cols.add(m.event.column);
  for (const v of [...Object.values(m.traits), ...Object.values(m.properties), ...Object.values(m.context)]) add(v);
  for (const e of m.externalIds) add(e.column);
  return [...cols];
}

export { TEMPLATE };
