// The naive stitching job: every identifier two events share joins them (connected components), no limits, no refusals.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { defaultIdentityConfig, extractIdentifiers, type IdentityConfig } from '../../services/identity/index.ts';
import type { Assignment, Resolver } from './resolver.ts';
import { UnionFind } from './union-find.ts';

/**
 * Reads the same identifiers Tessera extracts (normalised, placeholders blocked), so the difference to Tessera is the
 * merge policy alone: a job that skipped the blocklist would also glue every `null` cookie together.
 */
export function connectedComponents(config: IdentityConfig = defaultIdentityConfig): Resolver {
  return {
    name: 'components',
    about: 'connected components of shared identifiers (Tessera\'s normalised, blocklisted identifiers; no limits): a naive stitching job',
    resolve(touchpoints: readonly Touchpoint[]): Assignment {
      const uf = new UnionFind();
      const first: [string, string | null][] = [];
      for (const t of touchpoints) {
        const keys = extractIdentifiers(t, config).identifiers.map((i) => `${i.type}:${i.value}`);
        for (const k of keys) { uf.add(k); uf.union(keys[0]!, k); }
        first.push([t.messageId, keys[0] ?? null]);
      }
      return new Map(first.map(([m, k]) => [m, k === null ? null : uf.find(k)]));
    },
  };
}
