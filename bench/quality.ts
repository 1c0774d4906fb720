// Identity quality of the pure core over a generated population: against the ground truth and against the
// linkable truth (the best any resolver could do from the identifiers). The pipeline gives the same profiles
// (test/e2e/resolver-crash.test.ts), so this is the pipeline's quality without running it.
// Alone: npx tsx bench/quality.ts [--people 4000] [--seed 42] [--rules '{"contested":{...}}'] prints figure 5 per scenario.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { Touchpoint } from '../services/contract/touchpoint.ts';
import { defaultPopulation, generate, type PopulationOptions } from '../services/loadgen/population.ts';
import { pairwiseQuality, type Quality } from '../services/loadgen/quality.ts';
import { defaultIdentityConfig, extractIdentifiers, IdentityGraph, parseIdentityConfig, type IdentityConfig, type Identifier } from '../services/identity/index.ts';
import { validateTouchpoint } from '../services/contract/validate.ts';
import { context, device, touchpoint } from '../test/support/builders.ts';
import { linkableTruth } from './linkable.ts';

export interface Scenario { name: string; about: string; options: Partial<PopulationOptions> }

/** Rates are per household (the generator multiplies device and email rates by 4 for multi-person households). */
export const scenarios: Scenario[] = [
  { name: 'baseline', about: 'generator defaults: 5% shared devices, 3% family emails, 1% placeholders', options: {} },
  { name: 'shared-devices', about: 'every multi-person household shares a computer', options: { sharedDeviceRate: 0.25 } },
  { name: 'family-emails', about: 'every multi-person household shares one email', options: { sharedEmailRate: 0.25 } },
  { name: 'placeholders', about: '10% of SDK calls carry placeholder values', options: { placeholderRate: 0.1 } },
  { name: 'everything', about: 'shared devices, family emails and placeholders at once', options: { sharedDeviceRate: 0.25, sharedEmailRate: 0.25, placeholderRate: 0.1 } },
  { name: 'b2b-inboxes', about: '30% of people share a team inbox (sales@company) at sign-up, in tickets and in the CRM', options: { sharedInboxRate: 0.3 } },
  { name: 'support-desk', about: '80% of tickets are logged by an agent on the agent\'s own computer', options: { supportDeskRate: 0.8 } },
  { name: 'app-resets', about: '30% of app sessions follow a reinstall: new anonymous and device ids, same advertising id', options: { appResetRate: 0.3 } },
  { name: 'crm-phones', about: 'half the people give their phone at login and are in a call-centre export by national phone only', options: { crmPhoneRate: 0.5 } },
];

/**
 * Shop kiosks (or a till's tablet): per 1,000 people, `kiosks` devices on which 6 to 10 customers each type their
 * email, with no login. The generator has no such device, so they are added to a baseline population here.
 */
export interface KioskScenario { name: string; about: string; kiosks: number }
export const kioskScenarios: KioskScenario[] = [
  { name: 'kiosks', about: 'baseline plus 5 shop kiosks per 1,000 people, each seen with 6-10 customers\' emails and no user id', kiosks: 5 },
];

/** A baseline population with kiosks added: one identify call per customer on the kiosk, with the email they type. */
export function withKiosks(people: number, seed: number, kiosks: number): { touchpoints: Touchpoint[]; truth: Map<string, number> } {
  const g = generate({ ...defaultPopulation, people, seed });
  const emailOf = new Map<number, string>();
  let last = 0;
  for (const t of g.touchpoints) {
    last = Math.max(last, t.timestamp);
    const p = g.truth.get(t.messageId), e = t.traits.email;
    if (p !== undefined && typeof e === 'string' && !emailOf.has(p)) emailOf.set(p, e);
  }
  const customers = [...emailOf.keys()];
  let x = seed >>> 0;
  const next = (n: number): number => { x = (Math.imul(x, 1664525) + 1013904223) >>> 0; return x % n; };
  const touchpoints = [...g.touchpoints], truth = new Map(g.truth);
  for (let k = 0; k < Math.round((people / 1000) * kiosks); k++) {
    const seen = new Set<number>();
    for (let n = 6 + next(5); seen.size < n && seen.size < customers.length;) seen.add(customers[next(customers.length)] ?? 0);
    for (const p of seen) {
      const tp = touchpoint({ type: 'identify', event: null, messageId: `kiosk-${k}-${p}`, timestamp: last - next(86_400_000 * 20),
        traits: { email: emailOf.get(p) ?? null }, context: context({ device: device({ id: `kiosk-${k}`, type: 'tablet' }) }) });
      touchpoints.push(tp);
      truth.set(tp.messageId, p);
    }
  }
  return { touchpoints, truth };
}

export interface ScenarioQuality { vsTruth: Quality; vsLinkable: Quality }

const key = (i: Identifier) => `${i.type}:${i.value}`;

export interface CoreResolution {
  /** messageId → profile id the event ends up in (null: no linkable identifier); valid events only. */
  profileOf: Map<string, string | null>;
  /** messageId → linkable-truth group; valid events only. */
  linkable: Map<string, number>;
  /**
   * Events whose every identifier was also seen with another person (e.g. only a shared PC's cookie): the linkable
   * truth gives them to their true person, but nothing in the event can tell whose they are.
   */
  ambiguousEvents: number;
}

/** Resolves every valid touchpoint with the pure core, then reads each event's final profile through its primary identifier. */
export function resolveWithCore(touchpoints: readonly Touchpoint[], truth: ReadonlyMap<string, number>, config: IdentityConfig): CoreResolution {
  const graph = new IdentityGraph(config);
  const primary = new Map<string, Identifier | null>();
  const labelled: { messageId: string; person: number; identifiers: string[] }[] = [];
  for (const t of touchpoints) {
    if (!validateTouchpoint(t).ok) continue;
    const x = extractIdentifiers(t, config);
    const step = x.identifiers.length > 0 ? graph.apply({ messageId: t.messageId, eventTime: t.timestamp, identifiers: x.identifiers, blocked: x.blocked }) : null;
    primary.set(t.messageId, step?.primaryIdentifier ?? null);
    labelled.push({ messageId: t.messageId, person: truth.get(t.messageId) ?? -1, identifiers: x.identifiers.map(key) });
  }
  const profileOf = new Map<string, string | null>();
  for (const [m, id] of primary) profileOf.set(m, id ? graph.profileOf(id) : null);
  return { profileOf, linkable: linkableTruth(labelled), ambiguousEvents: countAmbiguous(labelled) };
}

/** Events with at least one identifier, all of which appear in events of more than one person. */
export function countAmbiguous(events: readonly { person: number; identifiers: readonly string[] }[]): number {
  const owner = new Map<string, number>(); // identifier → its person, or -2 once seen with two people
  for (const e of events) for (const id of e.identifiers) {
    const o = owner.get(id);
    if (o === undefined) owner.set(id, e.person);
    else if (o !== e.person) owner.set(id, -2);
  }
  return events.filter((e) => e.identifiers.length > 0 && e.identifiers.every((id) => owner.get(id) === -2)).length;
}

/** Pairwise quality of a messageId → profile assignment against both truths. */
export function qualityOf(profileOf: ReadonlyMap<string, string | null>, truth: ReadonlyMap<string, number>, linkable: ReadonlyMap<string, number>): ScenarioQuality {
  const rows = [...profileOf].filter(([m]) => truth.has(m) && linkable.has(m));
  return {
    vsTruth: pairwiseQuality(rows.map(([m, p]) => [p, truth.get(m)!] as const)),
    vsLinkable: pairwiseQuality(rows.map(([m, p]) => [p, linkable.get(m)!] as const)),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { people: { type: 'string', default: '4000' }, seed: { type: 'string', default: '42' }, rules: { type: 'string' } } });
  const parsed = values.rules === undefined ? { ok: true as const, config: defaultIdentityConfig } : parseIdentityConfig(JSON.parse(values.rules));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
  const people = Number(values.people), seed = Number(values.seed);
  const populations = [
    ...scenarios.map((s) => ({ name: s.name, g: generate({ ...defaultPopulation, ...s.options, people, seed }) })),
    ...kioskScenarios.map((s) => ({ name: s.name, g: withKiosks(people, seed, s.kiosks) })),
  ];
  const rows = populations.map((s) => {
    const g = s.g;
    const r = resolveWithCore(g.touchpoints, g.truth, parsed.config);
    const q = qualityOf(r.profileOf, g.truth, r.linkable).vsLinkable;
    return { scenario: s.name, 'F1 vs linkable': pct(q.f1), precision: pct(q.precision), recall: pct(q.recall), 'over-merged people': q.overMergedPeople, 'split people': q.splitPeople };
  });
  console.table(rows);
}
