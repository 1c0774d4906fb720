// Interns identifiers to dense integer ids and types to small slots. Values live in a byte arena (UUIDs as 16
// bytes) behind an open-addressing table, so an identifier costs ~20 bytes plus its text, not a JS string + Map entry.
import { hashText, MessageStore } from './messages.ts';
import type { Identifier } from './types.ts';

/** Slot of a free id. Slots are 32-bit: clients choose types (externalIds), and 65,536 of them must not wrap. */
const DEAD = -1;

export class Interner {
  private readonly text = new MessageStore();
  private slots = new Int32Array(0);
  /** id + 1 per cell; 0 empty, -1 removed. */
  private table = new Int32Array(1024);
  private used = 0;
  private free: number[] = [];
  private end = 0;
  readonly typeNames: string[] = [];
  private readonly typeSlots = new Map<string, number>();
  size = 0;

  typeSlot(type: string): number {
    let s = this.typeSlots.get(type);
    if (s === undefined) {
      s = this.typeNames.length;
      this.typeNames.push(type);
      this.typeSlots.set(type, s);
    }
    return s;
  }

  private find(slot: number, value: string): number {
    const mask = this.table.length - 1;
    for (let h = hashText(value, slot) & mask; ; h = (h + 1) & mask) {
      const e = this.table[h] ?? 0;
      if (e === 0) return -1;
      if (e > 0 && this.slots[e - 1] === slot && this.text.equals(e - 1, value)) return e - 1;
    }
  }

  private place(i: number): void {
    const mask = this.table.length - 1;
    let h = this.text.hash(i, this.slots[i] ?? 0) & mask;
    while ((this.table[h] ?? 0) > 0) h = (h + 1) & mask;
    if (this.table[h] === 0) this.used += 1;
    this.table[h] = i + 1;
  }

  /** Existing id of an identifier, or -1. */
  lookup(id: Identifier): number {
    const slot = this.typeSlots.get(id.type);
    return slot === undefined ? -1 : this.find(slot, id.value);
  }

  intern(type: string, value: string): number {
    const slot = this.typeSlot(type);
    const found = this.find(slot, value);
    if (found >= 0) return found;
    const i = this.free.pop() ?? this.end++;
    if (i >= this.slots.length) {
      const grown = new Int32Array(Math.max(i + 1, Math.ceil(this.slots.length * 1.5) + 16));
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots[i] = slot;
    this.text.set(i, value);
    if ((this.used + 1) * 2 > this.table.length) this.rehash();
    this.place(i);
    this.size += 1;
    return i;
  }

  private rehash(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.used = 0;
    for (const e of old) if (e > 0) this.place(e - 1);
  }

  remove(i: number): void {
    if (!this.alive(i)) return;
    const mask = this.table.length - 1;
    for (let h = this.text.hash(i, this.slots[i] ?? 0) & mask; ; h = (h + 1) & mask) {
      const e = this.table[h] ?? 0;
      if (e === 0) break;
      if (e === i + 1) {
        this.table[h] = -1;
        break;
      }
    }
    this.text.drop(i);
    this.slots[i] = DEAD;
    this.free.push(i);
    this.size -= 1;
  }

  /** Upper bound of ids handed out (some may be free). */
  get capacity(): number {
    return this.end;
  }

  alive(i: number): boolean {
    return i < this.end && this.slots[i] !== DEAD;
  }

  slot(i: number): number {
    return this.slots[i] ?? 0;
  }

  value(i: number): string {
    return this.text.get(i);
  }

  /** Sign of value(a) vs value(b) in string order, without decoding. */
  compareValues(a: number, b: number): number {
    return this.text.compare(a, b);
  }

  type(i: number): string {
    return this.typeNames[this.slot(i)] ?? '';
  }

  identifier(i: number): Identifier {
    return { type: this.type(i), value: this.value(i) };
  }
}
