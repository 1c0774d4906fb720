// Small pure string hashes (cyrb128 by bryc, public domain): deterministic on every machine, no node:crypto needed.

function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** 128-bit hash as 32 hex characters (changelog keys: collisions would silently lose a claim). */
export function hash128(s: string): string {
  const [a, b, c, d] = cyrb128(s);
  return hex8(a) + hex8(b) + hex8(c) + hex8(d);
}

/** 64-bit hash as 16 hex characters (profile ids). */
export function hash64(s: string): string {
  const [a, b] = cyrb128(s);
  return hex8(a) + hex8(b);
}

/** 32-bit hash of a sorted list of small integers (claim deduplication table). */
export function hashInts(xs: Int32Array, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  for (let i = start; i < end; i++) {
    h = Math.imul(h ^ (xs[i] ?? 0), 0x01000193);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
