// Typed reads from an untrusted JSON call that collect problems instead of throwing (pure).

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

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
   * user ids. Blank strings count as absent.
   */
  id(obj: Json, key: string, path = key): string | null {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v.trim() === '' ? null : v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    this.add(path, `expected a string, got ${kindOf(v)}`);
    return null;
  }

  /** A descriptive string slot (context fields): scalars are rendered as text; objects are a problem. */
  text(obj: Json, key: string, path = key): string | null {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.add(path, `expected a string, got ${kindOf(v)}`);
    return null;
  }

  /** A nested object; absent → null, wrong type → a problem and null. */
  object(obj: Json, key: string, path = key): Json | null {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (isObject(v)) return v;
    this.add(path, `expected an object, got ${kindOf(v)}`);
    return null;
  }
}
