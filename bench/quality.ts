// Identity quality of the pure core over a generated population: against the ground truth and against the
// linkable truth (the best any resolver could do from the identifiers). The pipeline gives the same profiles
// (test/e2e/resolver-crash.test.ts), so this is the pipeline's quality without running it.
import type { Touchpoint } from '../services/contract/touchpoint.ts';
import type { PopulationOptions } from '../services/loadgen/population.ts';
import { pairwiseQuality, type Quality } from '../services/loadgen/quality.ts';
import { extractIdentifiers, IdentityGraph, type IdentityConfig, type Identifier } from '../services/identity/index.ts';
import { validateTouchpoint } from '../services/contract/validate.ts';
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
    const step = x.identifiers.length > 0 ? graph.apply({ messageId: t.messageId, eventTime: t.timestamp, identifiers: x.identifiers }) : null;
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
