// Interns identifiers to dense integer ids (one string per identifier) and types to small slots.
import type { Identifier } from './types.ts';

/** Slot characters start at "0" so keys of ASCII values stay one-byte strings (half the heap of two-byte ones). */
const SLOT_BASE = 0x30;

export class Interner {
  private readonly ids = new Map<string, number>();
  private keys: string[] = [];
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
    }
    return s;
  }

  private key(type: string, value: string): string {
    return String.fromCharCode(SLOT_BASE + this.typeSlot(type)) + value;
  }

  /** Existing id of an identifier, or -1. */
  lookup(id: Identifier): number {
    const slot = this.typeSlots.get(id.type);
    if (slot === undefined) return -1;
    return this.ids.get(String.fromCharCode(SLOT_BASE + slot) + id.value) ?? -1;
  }

  intern(type: string, value: string): number {
    const k = this.key(type, value);
    let i = this.ids.get(k);
    if (i === undefined) {
      i = this.free.pop() ?? this.keys.length;
      this.ids.set(k, i);
      this.keys[i] = k;
      this.size += 1;
    }
    return i;
  }

  remove(i: number): void {
    const k = this.keys[i];
    if (k === undefined || k === '') return;
    this.ids.delete(k);
    this.keys[i] = '';
    this.free.push(i);
    this.size -= 1;
  }

  /** Upper bound of ids handed out (some may be free). */
  get capacity(): number {
    return this.keys.length;
  }

  alive(i: number): boolean {
    const k = this.keys[i];
    return k !== undefined && k !== '';
  }

  slot(i: number): number {
    return (this.keys[i] ?? '').charCodeAt(0) - SLOT_BASE;
  }

  value(i: number): string {
    return (this.keys[i] ?? '').slice(1);
  }

  type(i: number): string {
    return this.typeNames[this.slot(i)] ?? '';
  }

  identifier(i: number): Identifier {
    return { type: this.type(i), value: this.value(i) };
  }
}
