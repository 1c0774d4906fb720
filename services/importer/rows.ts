// One imported row → a Segment-spec call via the mapping, then the collector's own validation → a touchpoint (pure).
import { derivedMessageId } from '../contract/message-id.ts';
import { normaliseCall, type Normalised } from '../contract/normalise.ts';
import type { ConsentCategories } from '../contract/consent.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { TEMPLATE, type Mapping, type ValueSpec } from './mapping.ts';

/** Reads a column of the current row: a CSV cell by header name, or an NDJSON field (dotted paths reach nested ones). */
export type Cells = (column: string) => unknown;

export interface RowContext {
  /** File name (no directory): with the line number it makes the default messageId. */
  file: string;
  line: number;
  receivedAt: number;
  maxFutureMs: number;
  /** The consent tool's categories (TESSERA_CONSENT_CATEGORIES), as the collector reads them. */
  consentCategories?: ConsentCategories;
}

export type RowOutcome = { ok: true; touchpoint: Touchpoint } | { ok: false; line: number; messageId: string | null; problems: string[] };

const absent = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function convert(v: unknown, as: 'string' | 'number' | 'boolean' | 'json', column: string, problems: string[]): unknown {
  if (absent(v)) return undefined;
  if (as === 'string') return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (as === 'number') {
    const n = typeof v === 'number' ? v : Number(String(v).trim().replace(/,(?=\d{3}\b)/g, ''));
    if (Number.isFinite(n)) return n;
    problems.push(`${column}: ${JSON.stringify(v)} is not a number`);
    return undefined;
  }
  if (as === 'boolean') {
    if (typeof v === 'boolean') return v;
    const s = String(v).trim().toLowerCase();
    if (['true', 'yes', 'y', '1'].includes(s)) return true;
    if (['false', 'no', 'n', '0'].includes(s)) return false;
    problems.push(`${column}: ${JSON.stringify(v)} is not a boolean (true/false, yes/no, 1/0)`);
    return undefined;
  }
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    problems.push(`${column}: not valid JSON`);
    return undefined;
  }
}

function resolve(spec: ValueSpec, cells: Cells, problems: string[]): unknown {
  if (typeof spec === 'string') {
    if (!spec.includes('{{')) {
      const v = cells(spec);
      return absent(v) ? undefined : v;
    }
    let any = false;
    const text = spec.replace(TEMPLATE, (_m, col: string) => {
      const v = cells(col);
      if (absent(v)) return '';
      any = true;
      return String(v);
    });
    return any ? text.trim() : undefined;
  }
  if ('value' in spec) return spec.value;
  return convert(cells(spec.column), spec.as, spec.column, problems);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]!] = value;
}

/** The Segment-spec call a row stands for, and the problems met reading it (bad numbers, bad JSON). */
export function rowToCall(m: Mapping, cells: Cells, ctx: Pick<RowContext, 'file' | 'line'>): { call: Record<string, unknown>; problems: string[] } {
  const problems: string[] = [];
  const call: Record<string, unknown> = { type: m.type };
  const put = (key: string, spec: ValueSpec | undefined) => {
    if (spec === undefined) return;
    const v = resolve(spec, cells, problems);
    if (v !== undefined) call[key] = v;
  };
  put('userId', m.userId);
  put('anonymousId', m.anonymousId);
  put('groupId', m.groupId);
  put('name', m.name);
  put('timestamp', m.timestamp);
  if (m.event !== undefined) call.event = typeof m.event === 'string' ? m.event : resolve(m.event.column, cells, problems);
  for (const [field, specs] of [['traits', m.traits], ['properties', m.properties], ['context', m.context]] as const) {
    const out: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(specs)) {
      const v = resolve(spec, cells, problems);
      if (v !== undefined) setPath(out, key, v);
    }
    if (Object.keys(out).length > 0) call[field] = out;
  }
  const ids = m.externalIds.flatMap((e) => {
    const id = resolve(e.column, cells, problems);
    return id === undefined ? [] : [{ type: e.type, id: typeof id === 'string' ? id.trim() : id, ...(e.collection ? { collection: e.collection } : {}) }];
  });
  if (ids.length > 0) call.externalIds = ids;
  const messageId = m.messageId ? resolve(m.messageId, cells, problems) : undefined;
  call.messageId = messageId ?? derivedMessageId('import', { file: ctx.file, line: ctx.line });
  return { call, problems };
}

/** A row through the mapping and the same validation the collector applies to SDK calls. */
export function importRow(m: Mapping, cells: Cells, ctx: RowContext): RowOutcome {
  const { call, problems } = rowToCall(m, cells, ctx);
  const n: Normalised = normaliseCall(call, m.type, {
    receivedAt: ctx.receivedAt, channel: m.source, defaultSource: m.source, maxFutureMs: ctx.maxFutureMs, acceptOtherIdentifiers: true,
    ...(ctx.consentCategories ? { consentCategories: ctx.consentCategories } : {}),
  });
  if (n.ok && problems.length === 0) return { ok: true, touchpoint: n.touchpoint };
  return { ok: false, line: ctx.line, messageId: typeof call.messageId === 'string' ? call.messageId : null, problems: [...problems, ...(n.ok ? [] : n.problems)] };
}
