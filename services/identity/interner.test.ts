import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Interner } from './interner.ts';

const value = fc.oneof(fc.uuid(), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ minLength: 254, maxLength: 260 }));
const type = fc.constantFrom('user_id', 'anonymous_id', 'email');

describe('Interner', () => {
  it('gives one id per (type, value), gives values back, and forgets removed ones', () => {
    fc.assert(fc.property(fc.array(fc.tuple(type, value), { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 20 }), (pairs, removals) => {
      const names = new Interner();
      const model = new Map<string, number>();
      for (const [t, v] of pairs) {
        const id = names.intern(t, v);
        const k = JSON.stringify([t, v]);
        expect(model.get(k) ?? id).toBe(id);
        model.set(k, id);
        expect(names.identifier(id)).toEqual({ type: t, value: v });
      }
      const ids = [...model.entries()];
      for (const r of removals) {
        const [k, id] = ids[r % Math.max(ids.length, 1)] ?? ['', -1];
        if (id < 0 || !model.has(k)) continue;
        names.remove(id);
        model.delete(k);
      }
      expect(names.size).toBe(model.size);
      for (const [k, id] of model) {
        const [t, v] = JSON.parse(k) as [string, string];
        expect(names.lookup({ type: t, value: v })).toBe(id);
      }
      for (const [k] of ids) {
        if (model.has(k)) continue;
        const [t, v] = JSON.parse(k) as [string, string];
        expect(names.lookup({ type: t, value: v })).toBe(-1);
      }
    }), { numRuns: 300 });
  });

  it('keeps the same value of two types apart', () => {
    const names = new Interner();
    expect(names.intern('user_id', '42')).not.toBe(names.intern('crm_id', '42'));
  });
});

describe('type slots', () => {
  it('more than 65,536 client-chosen types keep their own slots (no 16-bit wrap)', () => {
    const n = new Interner();
    const ids = Array.from({ length: 70_000 }, (_, i) => n.intern(`t${i}`, 'x'));
    expect(new Set(ids).size).toBe(70_000);
    expect(n.identifier(ids[69_999] ?? -1)).toEqual({ type: 't69999', value: 'x' });
    expect(n.identifier(ids[65_535] ?? -1)).toEqual({ type: 't65535', value: 'x' });
    expect(n.lookup({ type: 't4464', value: 'x' })).toBe(ids[4464]);
  });
});
