// What the advertising-consent gate costs identity resolution on the loadgen population: pairwise quality with
// advertising ids linked (no gate) and withheld (the default: the population sends no consent). One run, pure core.
// Usage: npx tsx bench/consent-impact.ts [--people N] [--seed N]
import { parseArgs } from 'node:util';
import { validateTouchpoint } from '../services/contract/validate.ts';
import { defaultIdentityConfig, extractIdentifiers, IdentityGraph, parseIdentityConfig, type IdentityConfig } from '../services/identity/index.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';
import { pairwiseQuality } from '../services/loadgen/quality.ts';

const { values: a } = parseArgs({ options: { people: { type: 'string', default: '3000' }, seed: { type: 'string', default: '42' } } });
const { touchpoints, truth } = generate({ ...defaultPopulation, people: Number(a.people), seed: Number(a.seed) });
const ungated = parseIdentityConfig({ consentGated: {} });
if (!ungated.ok) throw new Error(ungated.errors.join('; '));

function quality(config: IdentityConfig) {
  const graph = new IdentityGraph(config);
  const firstId = new Map<string, { type: string; value: string } | null>();
  for (const t of touchpoints) {
    if (!validateTouchpoint(t).ok) continue;
    const x = extractIdentifiers(t, config);
    firstId.set(t.messageId, x.identifiers[0] ?? null);
    if (x.identifiers.length > 0 || (x.blocked ?? []).length > 0) graph.apply({ messageId: t.messageId, eventTime: t.timestamp, identifiers: x.identifiers, ...(x.blocked?.length ? { blocked: x.blocked } : {}) });
  }
  // Each event's profile once everything is linked: the profile of its first identifier.
  const items = [...firstId].map(([m, id]) => [id ? graph.profileOf(id) : null, truth.get(m)!] as const);
  return pairwiseQuality(items);
}

const fmt = (q: ReturnType<typeof quality>) => `precision ${q.precision.toFixed(4)}  recall ${q.recall.toFixed(4)}  F1 ${q.f1.toFixed(4)}  split people ${q.splitPeople}  over-merged ${q.overMergedPeople}  profiles ${q.profiles}`;
console.log(`${touchpoints.length} touchpoints, ${a.people} people, seed ${a.seed}`);
console.log(`advertising ids linked (consentGated {}):        ${fmt(quality(ungated.config))}`);
console.log(`advertising ids withheld (default, no consent):  ${fmt(quality(defaultIdentityConfig))}`);
