// The identity graph: applies claims (fast path or group recompute), erases, re-resolves, explains, restores.
import { blockReason } from './blocklist.ts';
import { claimRecord, compact, tombstone } from './changelog.ts';
import { capture, diff, snapshot, type View } from './diff.ts';
import { Engine } from './engine.ts';
import { explainChain } from './explain.ts';
import { normaliseIdentifier, normaliseType } from './normalise.ts';
import type { IdentityConfig } from './rules.ts';
import type { Cause, ChangelogRecord, Claim, ClaimPrimary, DroppedIdentifier, Identifier, Link, ProfileSnapshot, Refusal, StepResult } from './types.ts';

const NO_CAUSE: Cause = { messageId: '', eventTime: 0 };

/** An identifier given by a person or a request, read the way extraction reads it (blocked values included). */
export type Lookup = { ok: true; identifier: Identifier; blocked: boolean } | { ok: false; dropped: DroppedIdentifier };

/** The outcome of an erasure request: what it did, or why the identifier it names cannot exist. */
export type Erasure = { ok: true; identifier: Identifier; step: StepResult } | { ok: false; dropped: DroppedIdentifier };

export class IdentityGraph {
  private readonly e: Engine;

  constructor(config: IdentityConfig) {
    this.e = new Engine(config);
  }

  get config(): IdentityConfig {
    return this.e.config;
  }

  /** Idempotent: a claim already known with an earlier-or-equal (eventTime, messageId) changes nothing. */
  apply(claim: Claim): StepResult {
    const e = this.e;
    const cause = { messageId: claim.messageId, eventTime: claim.eventTime };
    const adm = e.admit(claim.identifiers, claim.blocked, claim.eventTime, claim.messageId);
    if (adm.kind === 'empty') return this.outcome(-1, cause, null, []);
    if (adm.kind === 'known') return this.outcome(adm.claim, cause, null, []);
    if (adm.kind === 'dormant') return this.outcome(adm.claim, cause, null, [claimRecord(e, adm.claim)]);
    const ids = Array.from(e.claims.ids(adm.claim));
    let before: View;
    let region: number[] | null = null;
    if (adm.kind === 'fast') {
      before = capture(e, ids);
      e.step(adm.claim);
    } else {
      const collected = e.collect(adm.roots);
      region = collected.claims;
      before = capture(e, [...collected.ids, ...ids]);
      if (adm.kind === 'rekey') e.rekey(adm.claim, claim.eventTime, claim.messageId);
      e.recompute(adm.roots);
    }
    const after = capture(e, [...before.links.keys(), ...ids]);
    const step = this.outcome(adm.claim, cause, before, [claimRecord(e, adm.claim)], after);
    const holders = this.holders(step, adm.claim, region);
    // Absent when none (most steps): a step's shape stays that of one that touched no other claim.
    if (holders.length > 0) step.holders = holders;
    return step;
  }

  /**
   * The other claims holding an identifier the step linked, moved or unlinked: their primary may have changed (a
   * shared device stopped linking, a refused identifier linked). A recompute's region (the groups before it) holds
   * every claim of every identifier it changed; a fast step changed only non-hub identifiers, whose claims sit in
   * their group. An identifier only the step's own claim holds (a new one: its weight is that claim's size) needs
   * no look.
   */
  private holders(step: StepResult, own: number, region: number[] | null): ClaimPrimary[] {
    if (step.links.length === 0 && step.moves.length === 0) return [];
    const e = this.e, ownIds = e.claims.ids(own), ownLen = ownIds.length;
    const touched = new Set<number>();
    for (const id of [...step.links.map((l) => l.identifier), ...step.moves.map((mv) => mv.identifier)]) {
      const x = e.names.lookup(id);
      if (x >= 0 && !(ownIds.includes(x) && (e.weight[x] ?? 0) === ownLen)) touched.add(x);
    }
    if (touched.size === 0) return [];
    const found = new Set<number>();
    const consider = (c: number): void => {
      if (c !== own && e.claims.alive(c) && e.claims.ids(c).some((x) => touched.has(x))) found.add(c);
    };
    if (region !== null) {
      for (const c of region) consider(c);
    } else {
      const roots = new Set<number>();
      for (const x of touched) {
        if (e.hubs.has(x)) for (let c = 0; c < e.claims.end; c++) consider(c); // unreachable: a fast step makes no hub
        else roots.add(e.find(x));
      }
      for (const r of roots) for (let c = e.gHead[r] ?? -1; c >= 0; c = e.claims.nextInGroup[c] ?? -1) consider(c);
    }
    return [...found].map((c) => {
      const r = claimRecord(e, c), primary = this.primary(e.byPriority(c));
      const p = primary === undefined ? -1 : e.prof[primary] ?? -1;
      return {
        key: r.key, messageId: r.value?.messageId ?? '', eventTime: r.value?.eventTime ?? 0,
        primaryIdentifier: p >= 0 && primary !== undefined ? e.names.identifier(primary) : null,
        profileId: p >= 0 ? e.profiles.idOf[p] ?? null : null,
      };
    });
  }

  /** The event's profile, strongest linked identifier and refusals, read from the current state. */
  private outcome(c: number, cause: Cause, before: View | null, changelog: ChangelogRecord[], after?: View): StepResult {
    const e = this.e;
    const changes = before !== null && after !== undefined ? diff(before, after, cause) : { links: [], merges: [], moves: [], profiles: [] };
    const step: StepResult = { profileId: null, primaryIdentifier: null, refusals: [], changelog, ...changes };
    if (c < 0) return step;
    const order = e.byPriority(c);
    const primary = this.primary(order);
    const p = primary === undefined ? -1 : e.prof[primary] ?? -1;
    if (primary !== undefined && p >= 0) {
      step.profileId = e.profiles.idOf[p] ?? null;
      step.primaryIdentifier = e.names.identifier(primary);
    }
    for (const x of order) if (x !== primary && (e.hubs.has(x) || e.prof[x] !== p)) step.refusals.push(this.refusal(x, p, cause));
    return step;
  }

  /** A claim's primary: its strongest identifier that is linked (hubs never are). */
  private primary(order: readonly number[]): number | undefined {
    return order.find((x) => !this.e.hubs.has(x) && (this.e.prof[x] ?? -1) >= 0);
  }

  private refusal(x: number, p: number, cause: Cause): Refusal {
    const e = this.e, P = e.profiles, identifier = e.names.identifier(x);
    if (e.contested.has(x)) {
      return {
        identifier, code: 'HUB_IDENTIFIER', ...cause,
        reason: `${identifier.type} "${identifier.value}" was seen with more ${e.contestedBy(x) ?? 'identifier'} values than one profile may hold (a shared device); it no longer links`,
      };
    }
    if (e.hubs.has(x)) {
      return {
        identifier, code: 'HUB_IDENTIFIER', ...cause,
        reason: `${identifier.type} "${identifier.value}" was seen with more than ${e.config.hubBound} distinct identifiers of one type; it no longer links`,
      };
    }
    const q = e.prof[x] ?? -1, pid = P.idOf[p] ?? '';
    // Only the types the two profiles hold can be over their limit: never a walk over every type ever seen.
    const slots = new Set<number>([e.names.slot(x)]);
    for (const r of [p, q]) {
      if (r < 0) continue;
      for (let s = 0; s < P.dense; s++) if (P.count(r, s) > 0) slots.add(s);
      for (const s of P.sparseCounts(r)?.keys() ?? []) slots.add(s);
    }
    const ordered = [...slots].sort((a, b) => (e.prio[a] ?? 0) - (e.prio[b] ?? 0) || ((e.names.typeNames[a] ?? '') < (e.names.typeNames[b] ?? '') ? -1 : 1));
    for (const s of ordered) {
      const type = e.names.typeNames[s] ?? '', limit = e.limit[s] ?? 0;
      const n = (p >= 0 ? P.count(p, s) : 0) + (q >= 0 ? P.count(q, s) : s === e.names.slot(x) ? 1 : 0);
      if (n <= limit) continue;
      const reason = q >= 0
        ? `linking would merge profile ${P.idOf[q]} into ${pid} with ${n} ${type} values (limit ${limit})`
        : `profile ${pid} already holds ${P.count(p, s)} ${type} values (limit ${limit})`;
      return q >= 0 ? { identifier, code: 'LIMIT_EXCEEDED', reason, ...cause, profileId: P.idOf[q] ?? '' } : { identifier, code: 'LIMIT_EXCEEDED', reason, ...cause };
    }
    return { identifier, code: 'LIMIT_EXCEEDED', reason: 'conflicts with a stronger identifier of the event', ...cause };
  }

  /**
   * Reads an identifier given by a person or a request (an erasure, an explanation, a profile look-up) exactly as
   * extraction reads an event's: type and value cleaned, the value normalised ("  ANA@Acme.io " is
   * "ana@acme.io"). A blocked value is still an identifier claims may hold; an invalid one is refused with the reason.
   */
  normalise(id: Identifier): Lookup {
    const type = normaliseType(id.type);
    if (!type.ok) return { ok: false, dropped: { type: id.type.slice(0, 64), raw: id.value.slice(0, 64), code: 'INVALID', reason: type.reason } };
    const n = normaliseIdentifier(type.value, id.value, this.e.config);
    if (n.ok) return { ok: true, identifier: n.identifier, blocked: false };
    return n.blocked !== undefined ? { ok: true, identifier: n.blocked, blocked: true } : { ok: false, dropped: n.dropped };
  }

  private lookup(id: Identifier): number {
    const n = this.normalise(id);
    return n.ok ? this.e.names.lookup(n.identifier) : -1;
  }

  /** The profile holding the identifier (normalised first, see normalise()), or null. */
  profileOf(id: Identifier): string | null {
    const x = this.lookup(id);
    const p = x < 0 ? -1 : this.e.prof[x] ?? -1;
    return p < 0 ? null : this.e.profiles.idOf[p] ?? null;
  }

  profile(profileId: string): ProfileSnapshot | null {
    const p = this.e.profiles.byId.get(profileId);
    return p === undefined ? null : snapshot(this.e, p);
  }

  /** Every profile, sorted by profile id (tests, debugging, small exports). */
  profiles(): ProfileSnapshot[] {
    return [...this.e.profiles.byId.values()].map((p) => snapshot(this.e, p)).sort((a, b) => (a.profileId < b.profileId ? -1 : 1));
  }

  /** The chain of links joining two identifiers (normalised first) of one profile, or null. */
  explain(a: Identifier, b: Identifier): Link[] | null {
    const xa = this.lookup(a), xb = this.lookup(b);
    return xa < 0 || xb < 0 ? null : explainChain(this.e, xa, xb);
  }

  private allIds(): number[] {
    const ids: number[] = [];
    for (let x = 0; x < this.e.names.capacity; x++) if (this.e.names.alive(x)) ids.push(x);
    return ids;
  }

  /**
   * Erasure: drops every claim holding the identifier (normalised first; blocked values too) and re-resolves what
   * they touched; tombstones in the step's changelog. An identifier that cannot be normalised is refused.
   */
  forget(id: Identifier, cause: Cause = NO_CAUSE): Erasure {
    const n = this.normalise(id);
    if (!n.ok) return n;
    return { ok: true, identifier: n.identifier, step: this.erase(n.identifier, cause) };
  }

  private erase(id: Identifier, cause: Cause): StepResult {
    const e = this.e, x = e.names.lookup(id);
    const key = `${id.type}\u0001${id.value}`;
    const holdsBlocked = (c: number): boolean => e.claims.blocked(c)?.ids.some((b) => `${b.type}\u0001${b.value}` === key) === true;
    const blockedIn = [...e.claims.withBlocked()].filter(holdsBlocked);
    if (x < 0 && blockedIn.length === 0) return this.outcome(-1, cause, null, []);
    const region = x < 0 || e.hubs.has(x) || blockedIn.length > 0 ? null : e.collect([e.find(x)]);
    const holding = (c: number): boolean => e.claims.alive(c) && (x >= 0 && e.claims.ids(c).includes(x));
    // A claim that leaves changes the weights of all its identifiers (near-hubs among them need a full rebuild) and
    // the shared-device state of its hubs; a blocked value's claims sit in any group: rebuild everything then.
    const targeted = region !== null && region.claims.every((c) => e.claims.ids(c).every((y) => !e.candidates.has(y)))
      && region.claims.filter(holding).every((c) => e.claims.ids(c).every((y) => !e.hubs.has(y)));
    const before = capture(e, targeted ? region.ids : this.allIds());
    const doomed = targeted ? region.claims.filter(holding) : Array.from({ length: e.claims.end }, (_, c) => c).filter((c) => holding(c) || (e.claims.alive(c) && holdsBlocked(c)));
    const changelog = doomed.map((c) => tombstone(e, c));
    for (const c of doomed) e.removeClaim(c);
    if (targeted) {
      const roots = e.regroup(region.ids, region.claims.filter((c) => e.claims.alive(c)));
      e.recompute(roots);
    } else {
      e.rebuild();
    }
    return this.outcome(-1, cause, before, changelog, capture(e, [...before.links.keys(), ...this.allIds()]));
  }

  /**
   * Re-runs every claim under new rules: each claim's values (linkable and blocked) are split again by the new
   * blocklist — newly blocked values stay in the claim, marked, and newly un-blocked ones link again; values longer
   * than the new maxValueLength leave it — then all groups are rebuilt. One StepResult for the whole graph
   * (profileId null): moves, merges, profile changes and the changelog records (tombstones and re-keyed claims).
   */
  reResolve(config: IdentityConfig, cause: Cause = NO_CAUSE): StepResult {
    const e = this.e;
    const before = capture(e, this.allIds());
    const changelog: ChangelogRecord[] = [];
    const end = e.claims.end;
    const fits = (v: string): boolean => v.length <= config.maxValueLength;
    const linkable = (i: Identifier): boolean => fits(i.value) && blockReason(i.type, i.value, config) === null;
    const resplit: Array<{ ids: Identifier[]; blocked: Identifier[]; time: number; msg: string }> = [];
    for (let c = 0; c < end; c++) {
      if (!e.claims.alive(c)) continue;
      const ids = Array.from(e.claims.ids(c), (y) => e.names.identifier(y));
      const held = e.claims.blocked(c)?.ids ?? [];
      const all = [...ids, ...held].filter((i) => fits(i.value));
      const link = all.filter(linkable), blocked = all.filter((i) => !linkable(i));
      if (link.length === ids.length && blocked.length === held.length) continue;
      changelog.push(tombstone(e, c));
      resplit.push({ ids: link, blocked, time: e.claims.time[c] ?? 0, msg: e.claims.messageId(c) });
      e.removeClaim(c);
    }
    for (const r of resplit) {
      if (r.ids.length === 0 && r.blocked.length === 0) continue;
      changelog.push(claimRecord(e, e.store(e.internIds(r.ids), r.blocked, r.time, r.msg)));
    }
    e.setConfig(config);
    e.rebuild();
    return this.outcome(-1, cause, before, changelog, capture(e, [...before.links.keys(), ...this.allIds()]));
  }

  /** The whole state as compacted changelog records (one per distinct claim). */
  changelog(): ChangelogRecord[] {
    const out: ChangelogRecord[] = [];
    for (let c = 0; c < this.e.claims.end; c++) if (this.e.claims.alive(c)) out.push(claimRecord(this.e, c));
    return out;
  }

  /** Rebuilds a graph from changelog records (last record per key wins; null removes): restore(g.changelog()) ≡ g. */
  static restore(records: Iterable<ChangelogRecord>, config: IdentityConfig): IdentityGraph {
    const g = new IdentityGraph(config);
    // Each claim keeps the split (linkable / blocked) it was written with: a new blocklist applies through reResolve,
    // which writes the re-keyed records.
    for (const v of compact(records).values()) {
      const ids = g.e.internIds(v.identifiers);
      if (ids.length > 0 || (v.blocked?.length ?? 0) > 0) g.e.store(ids, v.blocked, v.eventTime, v.messageId);
    }
    g.e.rebuild();
    return g;
  }

  /**
   * Memory the per-type structures hold: count cells (dense rows of the configured types plus sparse cells of the
   * types clients invent) and the number of types seen. Cells grow with profiles and identifiers, never with types.
   */
  footprint(): { countCells: number; types: number } {
    return { countCells: this.e.profiles.countCells(), types: this.e.names.typeNames.length };
  }

  stats(): { identifiers: number; profiles: number; claims: number; hubs: number } {
    const e = this.e;
    return { identifiers: e.names.size, profiles: e.profiles.size, claims: e.claims.count, hubs: e.hubs.size };
  }
}
