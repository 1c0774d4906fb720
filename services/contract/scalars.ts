// Free-form traits and properties as scalar maps: nested values become JSON strings (docs/architecture.md; pure).
import type { Scalar, Scalars } from './touchpoint.ts';
import { isObject, kindOf, own, type Problems } from './fields.ts';
import { inexactMessage, isInexactNumber } from './json-shape.ts';
import { LIMITS, mapKeyProblem, wellFormed } from './limits.ts';

const keyPath = (path: string, key: string): string =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}]`;

/**
 * One value of the map. Numbers travel as Avro doubles: an integer beyond 2^53 arrives here only if the body could not
 * be re-read exactly (the collector's parser turns such numbers into strings of their digits), and is refused.
 * Nested values were bounded in depth before (normaliseCall), so JSON.stringify cannot overflow here.
 */
function scalar(v: unknown, path: string, problems: Problems): Scalar | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') return wellFormed(v);
  if (typeof v === 'number') {
    if (!isInexactNumber(v)) return v;
    problems.add(path, inexactMessage(v));
    return undefined;
  }
  return JSON.stringify(v);
}

/** traits / properties: an object of anything; absent → {}; not an object → a problem. */
export function scalars(obj: Record<string, unknown>, key: string, problems: Problems, path = key): Scalars {
  const v = own(obj, key);
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    problems.add(path, `expected an object, got ${kindOf(v)}`);
    return {};
  }
  const keys = Object.keys(v);
  if (keys.length > LIMITS.mapKeys) {
    problems.add(path, `${keys.length} keys, over the ${LIMITS.mapKeys}-key limit`);
    return {};
  }
  const entries: [string, Scalar][] = [];
  for (const k of keys) {
    const at = keyPath(path, k);
    const problem = mapKeyProblem(k);
    if (problem !== null) {
      problems.add(at, problem);
      continue;
    }
    const s = scalar(v[k], at, problems);
    if (s !== undefined) entries.push([k, s]);
  }
  // fromEntries defines own properties: a client's key is data, never a setter on Object.prototype.
  return Object.fromEntries(entries);
}
