// Free-form traits and properties as scalar maps: nested values become JSON strings (docs/architecture.md; pure).
import type { Scalar, Scalars } from './touchpoint.ts';
import { isObject, kindOf, type Problems } from './fields.ts';

function scalar(v: unknown): Scalar | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  // Numbers travel as Avro doubles; integers beyond 2^53 have already lost precision in JSON.parse.
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return JSON.stringify(v);
}

/** traits / properties: an object of anything; absent → {}; not an object → a problem. */
export function scalars(obj: Record<string, unknown>, key: string, problems: Problems, path = key): Scalars {
  const v = obj[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    problems.add(path, `expected an object, got ${kindOf(v)}`);
    return {};
  }
  const out: Scalars = {};
  for (const [k, value] of Object.entries(v)) {
    const s = scalar(value);
    if (s !== undefined) out[k] = s;
  }
  return out;
}
