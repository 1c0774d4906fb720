// Query parameters of the API, parsed into typed values or a 400 that says which parameter is wrong (pure).
import type { EventCursor, TimeRange } from './queries.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (message: string): { ok: false; message: string } => ({ ok: false, message });

/** `limit`: an integer in [1, max]; absent → `def`. */
export function limitParam(q: URLSearchParams, def: number, max: number): Parsed<number> {
  const raw = q.get('limit');
  if (raw === null || raw === '') return ok(def);
  if (!/^\d+$/.test(raw)) return bad(`limit must be an integer between 1 and ${max} (got ${JSON.stringify(raw.slice(0, 32))})`);
  const n = Number(raw);
  if (n < 1 || n > max) return bad(`limit must be between 1 and ${max} (got ${n})`);
  return ok(n);
}

/** A comma-separated list (include, exclude): trimmed, empty entries dropped, at most `max` entries. */
export function listParam(q: URLSearchParams, name: string, max = 100): Parsed<string[]> {
  const raw = q.get(name);
  if (raw === null) return ok([]);
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length > max) return bad(`${name} lists ${items.length} values; at most ${max}`);
  return ok(items);
}

export function boolParam(q: URLSearchParams, name: string, def = false): Parsed<boolean> {
  const raw = q.get(name);
  if (raw === null || raw === '') return ok(def);
  if (raw === 'false') return ok(false);
  if (raw === 'true') return ok(true);
  return bad(`${name} must be true or false (got ${JSON.stringify(raw.slice(0, 32))})`);
}

export function sortParam(q: URLSearchParams): Parsed<'asc' | 'desc'> {
  const raw = q.get('sort');
  if (raw === null || raw === '' || raw === 'desc') return ok('desc');
  if (raw === 'asc') return ok('asc');
  return bad(`sort must be asc or desc (got ${JSON.stringify(raw.slice(0, 32))})`);
}

/** An ISO 8601 date or date-time (Segment's start / end), or epoch milliseconds. */
export function timeParam(q: URLSearchParams, name: string): Parsed<number | null> {
  const raw = q.get(name);
  if (raw === null || raw === '') return ok(null);
  const ms = /^\d{10,13}$/.test(raw) ? Number(raw) : /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ? Date.parse(raw) : NaN;
  if (!Number.isFinite(ms)) return bad(`${name} must be an ISO 8601 date or date-time, e.g. 2026-11-02 or 2026-11-02T10:00:00Z (got ${JSON.stringify(raw.slice(0, 40))})`);
  return ok(ms);
}

/**
 * The time range of a bounded query: [start, end) from the parameters, end defaulting to now and start to
 * `defaultDays` before end; a range longer than `maxDays` is refused rather than scanned.
 */
export function rangeParams(q: URLSearchParams, now: number, defaultDays: number, maxDays: number): Parsed<TimeRange> {
  const s = timeParam(q, 'start');
  if (!s.ok) return s;
  const e = timeParam(q, 'end');
  if (!e.ok) return e;
  const end = e.value ?? now;
  const start = s.value ?? end - defaultDays * 86_400_000;
  if (start >= end) return bad(`start (${new Date(start).toISOString()}) must be before end (${new Date(end).toISOString()})`);
  if (end - start > maxDays * 86_400_000) return bad(`start to end spans more than ${maxDays} days; narrow the range`);
  return ok({ start, end });
}

/** Cursors are opaque to clients: base64url of JSON. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(raw: string): unknown {
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** `next` of an events page: where the previous page stopped. */
export function eventCursorParam(q: URLSearchParams): Parsed<EventCursor | null> {
  const raw = q.get('next');
  if (raw === null || raw === '') return ok(null);
  const v = decodeCursor(raw) as { ms?: unknown; id?: unknown } | undefined;
  if (!v || !Number.isSafeInteger(v.ms) || typeof v.id !== 'string') return bad('next is not a cursor this API returned');
  return ok({ ms: v.ms as number, messageId: v.id });
}

/** `next` of a list paged by name (traits) or position (external ids). */
export function keyCursorParam(q: URLSearchParams): Parsed<string | null> {
  const raw = q.get('next');
  if (raw === null || raw === '') return ok(null);
  const v = decodeCursor(raw) as { after?: unknown } | undefined;
  if (!v || typeof v.after !== 'string') return bad('next is not a cursor this API returned');
  return ok(v.after);
}
