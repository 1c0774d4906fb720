// Segment Unify's identity resolution as a reference resolver: "flat matching" of an event's identifiers to existing
// profiles, first come first served, with per-type value limits, identifier priorities and blocked values.
// Source: segmentio/segment-docs src/unify/identity-resolution/identity-resolution-onboarding.md and
// identity-resolution-settings.md (commit cited in bench/README.md, "Peers"); the Profile API page says identifiers are
// matched lower-case; phone standardisation (E.164) is a beta for spaces created after 2026-01-14, so it is off here.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import type { Assignment, Resolver } from './resolver.ts';
import { UnionFind } from './union-find.ts';

export interface SegmentIdentifier { type: string; value: string }

export interface SegmentConfig {
  /** Values of each type one profile may hold ("ever"); types not listed use `defaultLimit`. */
  limits: Record<string, number>;
  defaultLimit: number;
  /** Explicit ranks (1 strongest); every other type follows in alphabetical order, as Segment orders them. */
  ranked: string[];
  /** Values blocked for every type, exact match (after lower-casing), and the pattern blocked for every type. */
  blockedValues: string[];
  blockedPattern: RegExp;
  /** Trait keys configured as custom identifiers (traits.<key>, context.traits.<key>), with the type they become. */
  traitIdentifiers: Record<string, string>;
}

/**
 * Segment's documented defaults: user_id limit 1, every other identifier 5 (frequency "ever"); user_id and email ranked
 * 1 and 2, the rest alphabetically; the suggested blocked values (zeros and dashes, -1, null, anonymous). Phone is not
 * a default identifier: we configure it as a custom one from the `phone` trait, as the docs' own example does.
 */
export const segmentDefaults: SegmentConfig = {
  limits: { user_id: 1 },
  defaultLimit: 5,
  ranked: ['user_id', 'email'],
  blockedValues: ['-1', 'null', 'anonymous'],
  blockedPattern: /^[0-]*$/,
  traitIdentifiers: { phone: 'phone' },
};

/** The identifiers Segment promotes from a touchpoint (its externalIDs), lower-cased, blocked values removed. */
export function segmentIdentifiers(t: Touchpoint, config: SegmentConfig = segmentDefaults): SegmentIdentifier[] {
  const raw: [string, unknown][] = [['user_id', t.userId], ['anonymous_id', t.anonymousId], ['email', t.traits.email], ['email', t.context?.traits.email]];
  for (const [key, type] of Object.entries(config.traitIdentifiers)) raw.push([type, t.traits[key]], [type, t.context?.traits[key]]);
  // Segment's SDKs send context.device.type 'ios' or 'android' on app events; the generator keeps the form factor
  // there and the platform in os.name, so the platform is read from os.name. Ad tracking is taken as enabled.
  const os = t.context?.os?.name?.toLowerCase();
  const platform = os === 'ios' ? 'ios' : os === 'android' ? 'android' : null;
  if (platform) raw.push([`${platform}.id`, t.context?.device?.id], [`${platform}.idfa`, t.context?.device?.advertisingId]);
  // Custom externalIds are promoted (the type is added to the table on first sight); account-level ones are not user identifiers.
  for (const x of t.externalIds) if (x.collection !== 'accounts') raw.push([x.type.toLowerCase(), x.id]);
  const out: SegmentIdentifier[] = [];
  const seen = new Set<string>();
  for (const [type, v] of raw) {
    if (v === null || v === undefined) continue;
    const value = String(v).toLowerCase();
    if (config.blockedValues.includes(value) || config.blockedPattern.test(value)) continue;
    const key = `${type}:${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type, value });
  }
  return out;
}

/** Rank of a type: explicit ranks first, then alphabetical (Segment re-sorts as new types appear; ranks only compare). */
export function compareTypes(config: SegmentConfig): (a: string, b: string) => number {
  const explicit = new Map(config.ranked.map((t, i) => [t, i]));
  return (a, b) => {
    const ra = explicit.get(a), rb = explicit.get(b);
    if (ra !== undefined || rb !== undefined) return (ra ?? Infinity) - (rb ?? Infinity);
    return a < b ? -1 : a > b ? 1 : 0;
  };
}

/** What happened to one event: its profile and the identifiers demoted (left off the profile) to respect the limits. */
export interface SegmentStep { profile: string | null; demoted: SegmentIdentifier[] }

/** Profiles built event by event in arrival order. */
export class SegmentProfiles {
  private readonly uf = new UnionFind(); // over profile ids
  private readonly owner = new Map<string, string>(); // identifier key → profile id it was added to
  private readonly counts = new Map<string, Map<string, number>>(); // profile root → type → values held
  private readonly byRank: (a: SegmentIdentifier, b: SegmentIdentifier) => number;
  private next = 0;

  constructor(private readonly config: SegmentConfig = segmentDefaults) {
    const cmp = compareTypes(config);
    this.byRank = (a, b) => cmp(a.type, b.type);
  }

  private limit(type: string): number {
    return this.config.limits[type] ?? this.config.defaultLimit;
  }

  private profileOfKey(key: string): string | undefined {
    const p = this.owner.get(key);
    return p === undefined ? undefined : this.uf.find(p);
  }

  /**
   * Flat matching: the profiles holding any of the event's identifiers would merge and take the event's new
   * identifiers. If that final profile would exceed a type's limit, the event's lowest-priority identifier is demoted
   * and the match is tried again. No match: a new profile.
   */
  apply(identifiers: readonly SegmentIdentifier[]): SegmentStep {
    const ids = [...identifiers].sort(this.byRank);
    const demoted: SegmentIdentifier[] = [];
    while (ids.length > 0) {
      const matched = new Set<string>();
      const fresh = new Map<string, number>();
      for (const i of ids) {
        const p = this.profileOfKey(`${i.type}:${i.value}`);
        if (p !== undefined) matched.add(p);
        else fresh.set(i.type, (fresh.get(i.type) ?? 0) + 1);
      }
      const total = new Map(fresh);
      for (const p of matched) for (const [type, n] of this.counts.get(p)!) total.set(type, (total.get(type) ?? 0) + n);
      if ([...total].some(([type, n]) => n > this.limit(type))) { demoted.push(ids.pop()!); continue; }
      return { profile: this.attach(ids, [...matched], fresh), demoted };
    }
    return { profile: null, demoted };
  }

  private attach(ids: SegmentIdentifier[], matched: string[], fresh: Map<string, number>): string {
    let root: string;
    if (matched.length === 0) {
      root = `seg:${this.next++}`;
      this.uf.add(root);
      this.counts.set(root, new Map());
    } else {
      root = matched[0]!;
      for (const p of matched.slice(1)) {
        const merged = this.uf.union(root, p);
        const into = this.counts.get(merged)!;
        for (const [type, n] of this.counts.get(p)!) into.set(type, (into.get(type) ?? 0) + n);
        this.counts.delete(p);
        root = merged;
      }
    }
    const counts = this.counts.get(root)!;
    for (const [type, n] of fresh) counts.set(type, (counts.get(type) ?? 0) + n);
    for (const i of ids) { const k = `${i.type}:${i.value}`; if (!this.owner.has(k)) this.owner.set(k, root); }
    return root;
  }

  /** The profile an earlier step's profile has become after later merges. */
  current(profile: string): string {
    return this.uf.find(profile);
  }
}

export function segmentUnify(config: SegmentConfig = segmentDefaults): Resolver {
  return {
    name: 'segment',
    about: 'Segment Unify flat matching, first come: limits (user_id 1, others 5, ever), priorities (user_id, email, then alphabetical), suggested blocked values; arrival order',
    resolve(touchpoints: readonly Touchpoint[]): Assignment {
      const profiles = new SegmentProfiles(config);
      const placed: [string, string | null][] = [];
      for (const t of touchpoints) {
        const ids = segmentIdentifiers(t, config);
        placed.push([t.messageId, ids.length > 0 ? profiles.apply(ids).profile : null]);
      }
      return new Map(placed.map(([m, p]) => [m, p === null ? null : profiles.current(p)]));
    },
  };
}
