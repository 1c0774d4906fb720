import { describe, expect, it } from 'vitest';
import { touchpoint } from '../../test/support/builders.ts';
import { connectedComponents } from './components.ts';

describe('connectedComponents', () => {
  const events = [
    touchpoint({ messageId: 'a', anonymousId: 'c1' }),
    touchpoint({ messageId: 'b', anonymousId: 'c1', userId: 'u1' }),
    touchpoint({ messageId: 'c', userId: 'u1', traits: { email: ' Ana@X.io ' } }),
    touchpoint({ messageId: 'd', traits: { email: 'ana@x.io' } }),
    touchpoint({ messageId: 'e', userId: 'u2', anonymousId: 'c1' }),
    touchpoint({ messageId: 'f', userId: 'u3', anonymousId: 'null' }),
    touchpoint({ messageId: 'g', userId: 'u4', anonymousId: 'null' }),
  ];
  const p = connectedComponents().resolve(events);

  it('joins every event reachable through shared (normalised) identifiers, with no limit: two users on one cookie become one', () => {
    expect(new Set(['a', 'b', 'c', 'd', 'e'].map((m) => p.get(m))).size).toBe(1);
  });

  it('does not link through blocked placeholder values', () => {
    expect(p.get('f')).not.toBe(p.get('g'));
  });

  it('gives the same partition in any order', () => {
    const q = connectedComponents().resolve([...events].reverse());
    const pairs = (m: Map<string, string | null>) => events.flatMap((x) => events.map((y) => m.get(x.messageId) === m.get(y.messageId)));
    expect(pairs(q)).toEqual(pairs(p));
  });
});
