// Walks untrusted JSON values without recursion: nesting depth, numbers parsing already rounded, a bounded copy (pure).
// JSON.stringify and every recursive walk overflow the stack a few thousand levels down, so nothing recursive may
// touch a value before it passed jsonShapeProblem.

/**
 * A number that does not stand for the digits the client sent: an integer beyond ±2^53 (rounded to the nearest
 * double) or beyond the double range (Infinity). Fractions are doubles by nature, as in every JSON reader.
 */
export const isInexactNumber = (n: number): boolean => !Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n));

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === 'object' && v !== null;

interface Visit { v: Record<string, unknown> | unknown[]; depth: number; parent: Visit | null; key: string | number }

// Paths name the first few steps only: enough to find the field, short enough for an answer. Built only for a problem.
const PATH_STEPS = 4;
function pathOf(at: Visit | null, key: string | number | null, root: string): string {
  const keys: (string | number)[] = key === null ? [] : [key];
  for (let v = at; v !== null && v.parent !== null; v = v.parent) keys.unshift(v.key);
  if (keys.length === 0) return root;
  const shown = keys.slice(0, PATH_STEPS).map((k, i) => {
    if (typeof k === 'number') return `[${k}]`;
    if (/^[A-Za-z_$][\w$]*$/.test(k)) return i === 0 ? k : `.${k}`;
    return `[${JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k)}]`;
  });
  const joined = `${shown.join('')}${keys.length > PATH_STEPS ? '…' : ''}`;
  if (root === '(call)') return joined;
  return `${root}${joined.startsWith('[') ? '' : '.'}${joined}`;
}

export const inexactMessage = (n: number): string =>
  `${n} is a number beyond what JSON parsing keeps exactly (integers up to 2^53); send it as a string`;
const inexact = (path: string, n: number) => `${path}: ${inexactMessage(n)}`;

/**
 * Why a JSON value cannot be carried, or null: nested deeper than `maxDepth` objects/arrays (the value itself counting
 * as the first), or holding a number JSON parsing rounded. The problem starts with the path where it was found, below
 * `root` (a call's fields are named as they are: "properties.x"; another root prefixes them: "context.x").
 */
export function jsonShapeProblem(value: unknown, maxDepth: number, root = '(call)'): string | null {
  if (typeof value === 'number' && isInexactNumber(value)) return inexact(root, value);
  if (!isContainer(value)) return null;
  const stack: Visit[] = [{ v: value, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (at.depth > maxDepth) {
      return `${pathOf(at, null, root)}: nested deeper than ${maxDepth} levels of objects and arrays; flatten it or send it as a JSON string`;
    }
    // Plain loops, no closure per container: this runs on every call the collector receives.
    const array = Array.isArray(at.v);
    const keys = array ? null : Object.keys(at.v);
    const n = keys === null ? (at.v as unknown[]).length : keys.length;
    for (let i = 0; i < n; i++) {
      const key = keys === null ? i : keys[i]!;
      const child = (at.v as Record<string | number, unknown>)[key];
      if (typeof child === 'number') {
        if (isInexactNumber(child)) return inexact(pathOf(at, key, root), child);
      } else if (isContainer(child)) {
        stack.push({ v: child, depth: at.depth + 1, parent: at, key });
      }
    }
  }
  return null;
}

/** The depth of a JSON value, counted up to `stopAt + 1` (a value deeper than that need not be walked further). */
export function jsonDepth(value: unknown, stopAt: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (!isContainer(v)) continue;
    if (depth > max) max = depth;
    if (depth > stopAt) return max;
    if (Array.isArray(v)) for (const child of v) stack.push([child, depth + 1]);
    else for (const key of Object.keys(v)) stack.push([v[key], depth + 1]);
  }
  return max;
}

/**
 * A copy of a JSON value in which every object or array below `maxDepth` levels is replaced by a note, so that the
 * copy can be written as JSON (to the dead-letter topic) whatever the original's depth.
 */
export function cutDeep(value: unknown, maxDepth: number): unknown {
  const note = `(nested deeper than ${maxDepth} levels: cut)`;
  const copy = (v: unknown, depth: number): unknown => {
    if (!isContainer(v)) return v;
    if (depth > maxDepth) return note;
    return Array.isArray(v) ? new Array<unknown>(v.length) : {};
  };
  const root = copy(value, 1);
  const stack: { from: Record<string, unknown> | unknown[]; to: Record<string, unknown> | unknown[]; depth: number }[] = [];
  if (isContainer(value) && isContainer(root)) stack.push({ from: value, to: root, depth: 1 });
  while (stack.length > 0) {
    const { from, to, depth } = stack.pop()!;
    const keys = Array.isArray(from) ? from.map((_, i) => i) : Object.keys(from);
    for (const key of keys) {
      const child = (from as Record<string | number, unknown>)[key];
      const c = copy(child, depth + 1);
      // defineProperty, not assignment: a "__proto__" key stays an ordinary key of the copy.
      Object.defineProperty(to, key, { value: c, enumerable: true, writable: true, configurable: true });
      if (isContainer(child) && isContainer(c)) stack.push({ from: child, to: c, depth: depth + 1 });
    }
  }
  return root;
}
