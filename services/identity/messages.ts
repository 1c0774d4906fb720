// Compact storage of texts (claim messageIds, identifier values) in one byte arena: UUIDs as 16 bytes, other Latin-1 ids as length + bytes,
// anything else as a plain string. Comparison follows JavaScript string order without decoding.
import { growInt32 } from './grow.ts';

const UUID_TAG = 0xff;
const STRING_TAG = 0xfe;
const HYPHEN = 45;

function isUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const ch = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (ch !== HYPHEN) return false;
    } else if (!((ch >= 48 && ch <= 57) || (ch >= 97 && ch <= 102))) {
      return false;
    }
  }
  return true;
}

function finish(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash of a string, equal to MessageStore.hash of the same text. */
export function hashText(s: string, seed: number): number {
  let h = seed ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return finish(h);
}

const nibble = (ch: number): number => (ch <= 57 ? ch - 48 : ch - 87);

export class MessageStore {
  private arena = new Uint8Array(4096);
  private end = 0;
  private at = new Int32Array(0);
  private readonly strings = new Map<number, string>();

  private reserve(n: number): number {
    if (this.end + n > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.end + n, Math.ceil(this.arena.length * 1.5)));
      grown.set(this.arena.subarray(0, this.end));
      this.arena = grown;
    }
    const off = this.end;
    this.end += n;
    return off;
  }

  /** Stores the messageId of claim c (replacing bytes are not reclaimed: re-keys and erasures are rare). */
  set(c: number, msg: string): void {
    this.at = growInt32(this.at, c + 1, 0);
    this.strings.delete(c);
    if (isUuid(msg)) {
      const off = this.reserve(17);
      this.arena[off] = UUID_TAG;
      for (let i = 0, n = 0; i < 36; i++) {
        if (i === 8 || i === 13 || i === 18 || i === 23) continue;
        const v = nibble(msg.charCodeAt(i));
        const b = off + 1 + (n >> 1);
        this.arena[b] = n & 1 ? (this.arena[b] ?? 0) | v : v << 4;
        n++;
      }
      this.at[c] = off;
      return;
    }
    let latin1 = msg.length < STRING_TAG;
    for (let i = 0; i < msg.length && latin1; i++) if (msg.charCodeAt(i) > 0xff) latin1 = false;
    if (!latin1) {
      const off = this.reserve(1);
      this.arena[off] = STRING_TAG;
      this.strings.set(c, msg);
      this.at[c] = off;
      return;
    }
    const off = this.reserve(1 + msg.length);
    this.arena[off] = msg.length;
    for (let i = 0; i < msg.length; i++) this.arena[off + 1 + i] = msg.charCodeAt(i);
    this.at[c] = off;
  }

  length(c: number): number {
    const tag = this.arena[this.at[c] ?? 0] ?? 0;
    return tag === UUID_TAG ? 36 : tag === STRING_TAG ? (this.strings.get(c) ?? '').length : tag;
  }

  /** The UTF-16 code unit at position i of claim c's messageId. */
  codeAt(c: number, i: number): number {
    const off = this.at[c] ?? 0;
    const tag = this.arena[off] ?? 0;
    if (tag === STRING_TAG) return (this.strings.get(c) ?? '').charCodeAt(i);
    if (tag !== UUID_TAG) return this.arena[off + 1 + i] ?? 0;
    if (i === 8 || i === 13 || i === 18 || i === 23) return HYPHEN;
    const n = i - (i > 23 ? 4 : i > 18 ? 3 : i > 13 ? 2 : i > 8 ? 1 : 0);
    const byte = this.arena[off + 1 + (n >> 1)] ?? 0;
    const v = n & 1 ? byte & 15 : byte >> 4;
    return v < 10 ? 48 + v : 87 + v;
  }

  get(c: number): string {
    const off = this.at[c] ?? 0;
    const tag = this.arena[off] ?? 0;
    if (tag === STRING_TAG) return this.strings.get(c) ?? '';
    const n = this.length(c), codes = this.codes;
    codes.length = n;
    for (let i = 0; i < n; i++) codes[i] = this.codeAt(c, i);
    return String.fromCharCode(...codes);
  }

  private readonly codes: number[] = [];

  /** Hash of claim c's text; equals hashText of the same string. */
  hash(c: number, seed: number): number {
    const n = this.length(c);
    let h = seed ^ n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ this.codeAt(c, i), 0x01000193);
    return finish(h);
  }

  /** Sign of (message of a) vs (message of b), in JavaScript string order. */
  compare(a: number, b: number): number {
    const la = this.length(a), lb = this.length(b), n = Math.min(la, lb);
    for (let i = 0; i < n; i++) {
      const d = this.codeAt(a, i) - this.codeAt(b, i);
      if (d !== 0) return d;
    }
    return la - lb;
  }

  /** Whether claim c's text is exactly s (the hot path of interning: no per-character tag decoding). */
  equals(c: number, s: string): boolean {
    const off = this.at[c] ?? 0, a = this.arena;
    const tag = a[off] ?? 0;
    if (tag === STRING_TAG) return this.strings.get(c) === s;
    if (tag !== UUID_TAG) {
      if (tag !== s.length) return false;
      for (let i = 0; i < tag; i++) if (a[off + 1 + i] !== s.charCodeAt(i)) return false;
      return true;
    }
    if (s.length !== 36) return false;
    for (let i = 0, n = 0; i < 36; i++) {
      const ch = s.charCodeAt(i);
      if (i === 8 || i === 13 || i === 18 || i === 23) {
        if (ch !== HYPHEN) return false;
        continue;
      }
      if (!((ch >= 48 && ch <= 57) || (ch >= 97 && ch <= 102))) return false;
      const byte = a[off + 1 + (n >> 1)] ?? 0;
      if ((n & 1 ? byte & 15 : byte >> 4) !== nibble(ch)) return false;
      n++;
    }
    return true;
  }

  /** Sign of (message of c) vs msg, in JavaScript string order. */
  compareTo(c: number, msg: string): number {
    const la = this.length(c), n = Math.min(la, msg.length);
    for (let i = 0; i < n; i++) {
      const d = this.codeAt(c, i) - msg.charCodeAt(i);
      if (d !== 0) return d;
    }
    return la - msg.length;
  }

  drop(c: number): void {
    this.strings.delete(c);
  }
}
