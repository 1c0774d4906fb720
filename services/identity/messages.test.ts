import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageStore } from './messages.ts';

const messageId = fc.oneof(
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ minLength: 250, maxLength: 300 }),
  fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '', 'm-1', 'm-10', 'm-1\u00e9', 'ünïcode-✓'),
);

const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0);
const jsOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('MessageStore', () => {
  it('gives back every messageId exactly', () => {
    fc.assert(fc.property(fc.array(messageId, { maxLength: 30 }), (ids) => {
      const store = new MessageStore();
      ids.forEach((m, c) => store.set(c, m));
      expect(ids.map((_, c) => store.get(c))).toEqual(ids);
    }));
  });

  it('orders like JavaScript string comparison', () => {
    fc.assert(fc.property(messageId, messageId, (a, b) => {
      const store = new MessageStore();
      store.set(0, a);
      store.set(1, b);
      expect(sign(store.compare(0, 1))).toBe(jsOrder(a, b));
      expect(sign(store.compareTo(0, b))).toBe(jsOrder(a, b));
    }), { numRuns: 2000 });
  });

  it.each([
    ['6d92078a-8246-4ba4-ae5b-76104861e7dc', '6d92078a-8246-4ba4-ae5b-76104861e7dd', -1],
    ['6d92078a-8246-4ba4-ae5b-76104861e7dc', '6d92078a', 1],
    ['a0000000-0000-0000-0000-000000000000', '90000000-0000-0000-0000-000000000000', 1],
  ])('%s vs %s → %i', (a, b, want) => {
    const store = new MessageStore();
    store.set(0, a);
    store.set(1, b);
    expect(sign(store.compare(0, 1))).toBe(want);
  });

  it('replacing a messageId keeps the newest', () => {
    const store = new MessageStore();
    store.set(0, 'ünïcode');
    store.set(0, '6d92078a-8246-4ba4-ae5b-76104861e7dc');
    expect(store.get(0)).toBe('6d92078a-8246-4ba4-ae5b-76104861e7dc');
  });
});
