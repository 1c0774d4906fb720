// The side-by-side comparison: every resolver on the same valid touchpoints of a scenario, in arrival order and in a
// seeded shuffle, scored against the truth and the linkable truth with the same functions as Tessera's own figures.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { validateTouchpoint } from '../../services/contract/validate.ts';
import { defaultIdentityConfig, extractIdentifiers } from '../../services/identity/index.ts';
import type { Generated } from '../../services/loadgen/population.ts';
import { Random } from '../../services/loadgen/random.ts';
import { linkableTruth } from '../linkable.ts';
import { countAmbiguous, qualityOf, type ScenarioQuality } from '../quality.ts';
import { connectedComponents } from './components.ts';
import { posthog } from './posthog.ts';
import type { Resolver } from './resolver.ts';
import { segmentUnify } from './segment.ts';
import { tessera } from './tessera.ts';

/** Tessera first, then the peers. */
export const resolvers: Resolver[] = [tessera(), connectedComponents(), posthog(), segmentUnify()];

/** A seeded Fisher–Yates shuffle: the same seed gives the same order on every machine. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = new Random(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface ResolverResult { arrival: ScenarioQuality; shuffled: ScenarioQuality; seconds: number }

export interface ScenarioComparison {
  touchpoints: number;
  /** Events that carry only identifiers seen with more than one person (nothing in them says whose they are). */
  ambiguousEvents: number;
  resolvers: Record<string, ResolverResult>;
}

/**
 * Runs each resolver on the scenario's valid touchpoints (invalid ones go to the DLQ in Tessera and are not scored) in
 * arrival order and shuffled with `shuffleSeed`. The linkable truth comes from Tessera's identifier extraction: it is
 * the ceiling for everyone, whatever each resolver reads.
 */
export function compareResolvers(g: Generated, shuffleSeed: number, list: readonly Resolver[] = resolvers): ScenarioComparison {
  const valid: Touchpoint[] = g.touchpoints.filter((t) => validateTouchpoint(t).ok);
  const labelled = valid.map((t) => ({
    messageId: t.messageId, person: g.truth.get(t.messageId) ?? -1,
    identifiers: extractIdentifiers(t, defaultIdentityConfig).identifiers.map((i) => `${i.type}:${i.value}`),
  }));
  const linkable = linkableTruth(labelled);
  const mixed = shuffled(valid, shuffleSeed);
  const out: Record<string, ResolverResult> = {};
  for (const r of list) {
    const t0 = performance.now();
    const arrival = qualityOf(r.resolve(valid), g.truth, linkable);
    const shuffledQuality = qualityOf(r.resolve(mixed), g.truth, linkable);
    out[r.name] = { arrival, shuffled: shuffledQuality, seconds: (performance.now() - t0) / 1000 };
  }
  return { touchpoints: valid.length, ambiguousEvents: countAmbiguous(labelled), resolvers: out };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** One row per scenario, one column per resolver: F1 vs linkable truth in arrival order / shuffled. */
export function f1Table(results: Record<string, ScenarioComparison>, names: readonly string[]): Record<string, string>[] {
  return Object.entries(results).map(([scenario, c]) => ({
    scenario,
    ...Object.fromEntries(names.map((n) => {
      const q = c.resolvers[n];
      return [n, q ? `${pct(q.arrival.vsLinkable.f1)} / ${pct(q.shuffled.vsLinkable.f1)}` : ''];
    })),
  }));
}

/** One row per scenario and resolver: why the F1 is what it is (precision, recall, over-merged and split people). */
export function detailTable(results: Record<string, ScenarioComparison>): Record<string, string | number>[] {
  return Object.entries(results).flatMap(([scenario, c]) => Object.entries(c.resolvers).flatMap(([name, q]) => (['arrival', 'shuffled'] as const).map((order) => {
    const l = q[order].vsLinkable;
    return {
      scenario, resolver: name, order, precision: pct(l.precision), recall: pct(l.recall), f1: pct(l.f1),
      over_merged: l.overMergedPeople, split: l.splitPeople, profiles: l.profiles, f1_vs_truth: pct(q[order].vsTruth.f1),
    };
  })));
}
