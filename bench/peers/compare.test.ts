import { describe, expect, it } from 'vitest';
import { defaultIdentityConfig } from '../../services/identity/index.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { resolveWithCore } from '../quality.ts';
import { compareResolvers, detailTable, f1Table, resolvers, shuffled } from './compare.ts';
import { tessera } from './tessera.ts';

describe('shuffled', () => {
  const xs = Array.from({ length: 200 }, (_, i) => i);

  it('is a permutation that depends only on its seed', () => {
    const a = shuffled(xs, 7);
    expect([...a].sort((x, y) => x - y)).toEqual(xs);
    expect(shuffled(xs, 7)).toEqual(a);
    expect(shuffled(xs, 8)).not.toEqual(a);
    expect(a).not.toEqual(xs);
  });
});

describe('compareResolvers', () => {
  const g = generate({ ...defaultPopulation, people: 300, seed: 5, sharedDeviceRate: 0.25 });
  const c = compareResolvers(g, 3);

  it('scores every resolver on the same events, in both orders', () => {
    expect(Object.keys(c.resolvers)).toEqual(resolvers.map((r) => r.name));
    for (const q of Object.values(c.resolvers)) {
      expect(q.arrival.vsLinkable.events).toBe(c.touchpoints);
      expect(q.shuffled.vsLinkable.events).toBe(c.touchpoints);
    }
  });

  it('gives Tessera the same figures in a shuffled order (order-insensitive), and the bench\'s own core figure', () => {
    expect(c.resolvers.tessera!.shuffled).toEqual(c.resolvers.tessera!.arrival);
    const core = resolveWithCore(g.touchpoints, g.truth, defaultIdentityConfig);
    const valid = new Set(core.profileOf.keys());
    expect(tessera().resolve(g.touchpoints.filter((t) => valid.has(t.messageId)))).toEqual(core.profileOf);
  });

  it('never splits what the linkable truth joins with connected components (recall 1), and over-merges the shared computers', () => {
    const q = c.resolvers.components!.arrival.vsLinkable;
    expect(q.recall).toBe(1);
    expect(q.precision).toBeLessThan(1);
  });

  it('prints one row per scenario and one per scenario × resolver × order', () => {
    expect(f1Table({ s: c }, ['tessera', 'posthog'])).toEqual([{ scenario: 's', tessera: expect.stringMatching(/^\d+\.\d\d% \/ \d+\.\d\d%$/), posthog: expect.stringMatching(/%/) }]);
    expect(detailTable({ s: c })).toHaveLength(resolvers.length * 2);
  });
});
