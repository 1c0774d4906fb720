import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParkedEvents } from './parked.ts';

const at = (partition: number, offset: number) => ({ topic: 't', partition, offset: String(offset) });
const park = (p: ParkedEvents<string>, partition: number, offset: number, claimKey: string, parkedAt = 0) =>
  p.park({ source: at(partition, offset), claimKey, parkedAt, event: `${partition}@${offset}` });

describe('ParkedEvents', () => {
  it('pushes the longest-parked out first when full', () => {
    const p = new ParkedEvents<string>(2);
    expect(park(p, 0, 1, 'a')).toEqual([]);
    expect(park(p, 0, 2, 'b')).toEqual([]);
    expect(park(p, 1, 7, 'a').map((e) => e.event)).toEqual(['0@1']);
    expect(p.size).toBe(2);
    expect([...p.waitingClaims()].sort()).toEqual(['a', 'b']);
  });

  it('releases the events of the given claims in parking order, whatever order the claims are named in', () => {
    const p = new ParkedEvents<string>(10);
    park(p, 0, 1, 'a'); park(p, 0, 2, 'b'); park(p, 1, 3, 'a'); park(p, 0, 4, 'c');
    expect(p.release(['c', 'a']).map((e) => e.event)).toEqual(['0@1', '1@3', '0@4']);
    expect(p.release(['a'])).toEqual([]);
    expect(p.size).toBe(1);
  });

  it('expires the events parked at or before a time, and only those', () => {
    const p = new ParkedEvents<string>(10);
    park(p, 0, 1, 'a', 100); park(p, 0, 2, 'b', 200); park(p, 0, 3, 'c', 300);
    expect(p.expire(200).map((e) => e.event)).toEqual(['0@1', '0@2']);
    expect([...p.waitingClaims()]).toEqual(['c']);
  });

  it('forgets the events of partitions no longer assigned', () => {
    const p = new ParkedEvents<string>(10);
    park(p, 0, 1, 'a'); park(p, 1, 2, 'a'); park(p, 2, 3, 'b');
    expect(p.keepOnly({ t: [1] })).toBe(2);
    expect(p.release(['a', 'b']).map((e) => e.event)).toEqual(['1@2']);
  });

  it('parks a re-read record once (same partition and offset)', () => {
    const p = new ParkedEvents<string>(10);
    park(p, 0, 1, 'a'); park(p, 0, 1, 'a');
    expect(p.size).toBe(1);
    expect(p.release(['a'])).toHaveLength(1);
  });

  it('reports the lowest parked offset of each partition, as a model does (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('park' as const), partition: fc.integer({ min: 0, max: 2 }), offset: fc.integer({ min: 0, max: 50 }), claim: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ kind: fc.constant('release' as const), claim: fc.constantFrom('a', 'b', 'c') }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), (ops, capacity) => {
      const p = new ParkedEvents<string>(capacity);
      let model: { id: string; partition: number; offset: number; claim: string }[] = [];
      for (const o of ops) {
        if (o.kind === 'park') {
          const id = `${o.partition}@${o.offset}`;
          model = [...model.filter((m) => m.id !== id), { id, partition: o.partition, offset: o.offset, claim: o.claim }];
          const out = park(p, o.partition, o.offset, o.claim);
          expect(out.map((e) => e.event)).toEqual(model.slice(0, Math.max(0, model.length - capacity)).map((m) => m.id));
          model = model.slice(Math.max(0, model.length - capacity));
        } else {
          expect(p.release([o.claim]).map((e) => e.event)).toEqual(model.filter((m) => m.claim === o.claim).map((m) => m.id));
          model = model.filter((m) => m.claim !== o.claim);
        }
        const low = new Map<string, bigint>();
        for (const m of model) { const k = `t\u0000${m.partition}`; const v = BigInt(m.offset); if (!low.has(k) || v < low.get(k)!) low.set(k, v); }
        expect(p.lowestOffsets()).toEqual(low);
        expect(p.size).toBe(model.length);
      }
    }));
  });
});
