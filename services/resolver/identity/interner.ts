// Interns identifiers to dense integer ids and types to small slots: one Map per type keyed by the value itself,
// so each identifier costs its value string and one map entry (no concatenated key strings).
import type { Identifier } from './types.ts';

export class Interner {
  private readonly maps: Array<Map<string, number>> = [];
  private values: string[] = [];
  private slots = new Uint16Array(0);
  private free: number[] = [];
  readonly typeNames: string[] = [];
  private readonly typeSlots = new Map<string, number>();
  size = 0;

  typeSlot(type: string): number {
    let s = this.typeSlots.get(type);
    if (s === undefined) {
      s = this.typeNames.length;
      this.typeNames.push(type);
      this.typeSlots.set(type, s);
      this.maps.push(new Map());
    }
    return s;
  }

  /** Existing id of an identifier, or -1. */
  lookup(id: Identifier): number {
    const slot = this.typeSlots.get(id.type);
    return slot === undefined ? -1 : this.maps[slot]?.get(id.value) ?? -1;
  }

  intern(type: string, value: string): number {
    const slot = this.typeSlot(type);
    const map = this.maps[slot] as Map<string, number>;
    let i = map.get(value);
    if (i === undefined) {
      i = this.free.pop() ?? this.values.length;
      map.set(value, i);
      this.values[i] = value;
      if (i >= this.slots.length) {
        const grown = new Uint16Array(Math.max(i + 1, Math.ceil(this.slots.length * 1.5) + 16));
        grown.set(this.slots);
        this.slots = grown;
      }
      this.slots[i] = slot;
      this.size += 1;
    }
    return i;
  }

  remove(i: number): void {
    const v = this.values[i];
    if (v === undefined || !this.alive(i)) return;
    this.maps[this.slots[i] ?? 0]?.delete(v);
    this.values[i] = '';
    this.slots[i] = 0xffff;
    this.free.push(i);
    this.size -= 1;
  }

  /** Upper bound of ids handed out (some may be free). */
  get capacity(): number {
    return this.values.length;
  }

  alive(i: number): boolean {
    return i < this.values.length && this.slots[i] !== 0xffff;
  }

  slot(i: number): number {
    return this.slots[i] ?? 0;
  }

  value(i: number): string {
    return this.values[i] ?? '';
  }

  type(i: number): string {
    return this.typeNames[this.slot(i)] ?? '';
  }

  identifier(i: number): Identifier {
    return { type: this.type(i), value: this.value(i) };
  }
}
