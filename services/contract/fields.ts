// Typed reads from an untrusted JSON call that collect problems instead of throwing (pure).
import { inexactMessage, isInexactNumber } from './json-shape.ts';
import { identifierProblem, wellFormed } from './limits.ts';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A field the object itself holds: a call naming no "constructor" must not find Object.prototype's. */
export const own = (obj: Json, key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);

export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Collects "path: what is wrong" problems while reading fields of one call. */
export class Problems {
  readonly list: string[] = [];

  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }

  /** Whether a problem was already recorded at `path` (so "missing" is not added on top of "wrong type"). */
  has(path: string): boolean {
    return this.list.some((x) => x.startsWith(`${path}: `));
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  /**
   * An identifier (userId, anonymousId, …): a non-blank string, or a finite number as SDKs send for numeric
   * user ids. Blank strings count as absent; values the identity core could not keep apart are refused.
   */
  id(obj: Json, key: string, path = key, check: (s: string) => string | null = identifierProblem): string | null {
    const v = own(obj, key);
    if (v === undefined || v === null) return null;
    let s: string;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number' && !isInexactNumber(v)) s = String(v);
    else {
      this.add(path, typeof v === 'number' ? inexactMessage(v) : `expected a string, got ${kindOf(v)}`);
      return null;
    }
    if (s.trim() === '') return null;
    const problem = check(s);
    if (problem !== null) {
      this.add(path, problem);
      return null;
    }
    return s;
  }

  /** A descriptive string slot (context fields): scalars are rendered as text; objects are a problem. */
  text(obj: Json, key: string, path = key): string | null {
    const v = own(obj, key);
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return wellFormed(v);
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'number') {
      if (!isInexactNumber(v)) return String(v);
      this.add(path, inexactMessage(v));
      return null;
    }
    this.add(path, `expected a string, got ${kindOf(v)}`);
    return null;
  }

  /** A nested object; absent → null, wrong type → a problem and null. */
  object(obj: Json, key: string, path = key): Json | null {
    const v = own(obj, key);
    if (v === undefined || v === null) return null;
    if (isObject(v)) return v;
    this.add(path, `expected an object, got ${kindOf(v)}`);
    return null;
  }
}
