// The identity graph: applies claims (fast path or group recompute), erases, re-resolves, explains, restores.
import { blockReason } from './blocklist.ts';
import { claimRecord, compact, tombstone } from './changelog.ts';
import { capture, diff, snapshot, type View } from './diff.ts';
import { Engine } from './engine.ts';
import { explainChain } from './explain.ts';
import type { IdentityConfig } from './rules.ts';
import type { Cause, ChangelogRecord, Claim, Identifier, Link, ProfileSnapshot, Refusal, StepResult } from './types.ts';

const NO_CAUSE: Cause = { messageId: '', eventTime: 0 };

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
    const adm = e.admit(claim.identifiers, claim.eventTime, claim.messageId);
    if (adm.kind === 'empty') return this.outcome(-1, cause, null, []);
    if (adm.kind === 'known') return this.outcome(adm.claim, cause, null, []);
    const ids = Array.from(e.claims.ids(adm.claim));
    let before: View;
    if (adm.kind === 'fast') {
      before = capture(e, ids);
      e.step(adm.claim);
    } else {
      before = capture(e, [...e.collect(adm.roots).ids, ...ids]);
      if (adm.kind === 'rekey') e.rekey(adm.claim, claim.eventTime, claim.messageId);
      e.recompute(adm.roots);
    }
    const after = capture(e, [...before.links.keys(), ...ids]);
    return this.outcome(adm.claim, cause, before, [claimRecord(e, adm.claim)], after);
  }

  /** The event's profile, strongest linked identifier and refusals, read from the current state. */
  private outcome(c: number, cause: Cause, before: View | null, changelog: ChangelogRecord[], after?: View): StepResult {
    const e = this.e;
    const changes = before !== null && after !== undefined ? diff(before, after, cause) : { links: [], merges: [], moves: [], profiles: [] };
    const step: StepResult = { profileId: null, primaryIdentifier: null, refusals: [], changelog, ...changes };
    if (c < 0) return step;
    const order = e.byPriority(c);
    const primary = order.find((x) => !e.hubs.has(x) && (e.prof[x] ?? -1) >= 0);
    const p = primary === undefined ? -1 : e.prof[primary] ?? -1;
    if (primary !== undefined && p >= 0) {
      step.profileId = e.profiles.idOf[p] ?? null;
      step.primaryIdentifier = e.names.identifier(primary);
    }
    for (const x of order) if (x !== primary && (e.hubs.has(x) || e.prof[x] !== p)) step.refusals.push(this.refusal(x, p, cause));
    return step;
  }

  private refusal(x: number, p: number, cause: Cause): Refusal {
    const e = this.e, P = e.profiles, identifier = e.names.identifier(x);
    if (e.contested.has(x)) {
      return {
        identifier, code: 'HUB_IDENTIFIER', ...cause,
        reason: `${identifier.type} "${identifier.value}" was seen with more ${e.config.contested.by} values than one profile may hold (a shared device); it no longer links`,
      };
    }
    if (e.hubs.has(x)) {
      return {
        identifier, code: 'HUB_IDENTIFIER', ...cause,
        reason: `${identifier.type} "${identifier.value}" was seen with more than ${e.config.hubBound} distinct identifiers of one type; it no longer links`,
      };
    }
    const q = e.prof[x] ?? -1, pid = P.idOf[p] ?? '';
    const slots = e.names.typeNames.map((_, s) => s).sort((a, b) => (e.order[a] ?? 0) - (e.order[b] ?? 0));
    for (const s of slots) {
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

  profileOf(id: Identifier): string | null {
    const x = this.e.names.lookup(id);
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

  explain(a: Identifier, b: Identifier): Link[] | null {
    const xa = this.e.names.lookup(a), xb = this.e.names.lookup(b);
    return xa < 0 || xb < 0 ? null : explainChain(this.e, xa, xb);
  }

  private allIds(): number[] {
    const ids: number[] = [];
    for (let x = 0; x < this.e.names.capacity; x++) if (this.e.names.alive(x)) ids.push(x);
    return ids;
  }

  /** Erasure: drops every claim holding the identifier and re-resolves what they touched; tombstones in changelog. */
  forget(id: Identifier, cause: Cause = NO_CAUSE): StepResult {
    const e = this.e, x = e.names.lookup(id);
    if (x < 0) return this.outcome(-1, cause, null, []);
    const region = e.hubs.has(x) ? null : e.collect([e.find(x)]);
    // A claim that leaves changes the weights of all its identifiers: near-hubs among them need a full rebuild.
    const targeted = region !== null && region.claims.every((c) => e.claims.ids(c).every((y) => !e.candidates.has(y)));
    const before = capture(e, targeted ? region.ids : this.allIds());
    const holding = (c: number): boolean => e.claims.alive(c) && e.claims.ids(c).includes(x);
    const doomed = targeted ? region.claims.filter(holding) : Array.from({ length: e.claims.end }, (_, c) => c).filter(holding);
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
   * Re-runs every claim under new rules: values the new config blocks (or finds too long) leave their claims,
   * then all groups are rebuilt. One StepResult for the whole graph (profileId null): moves, merges, profile
   * changes and the changelog records (tombstones and re-keyed claims) of the change.
   */
  reResolve(config: IdentityConfig, cause: Cause = NO_CAUSE): StepResult {
    const e = this.e;
    const before = capture(e, this.allIds());
    const changelog: ChangelogRecord[] = [];
    const end = e.claims.end;
    for (let c = 0; c < end; c++) {
      if (!e.claims.alive(c)) continue;
      const ids = Array.from(e.claims.ids(c));
      const kept = ids.filter((y) => {
        const v = e.names.value(y);
        return v.length <= config.maxValueLength && blockReason(e.names.type(y), v, config) === null;
      });
      if (kept.length === ids.length) continue;
      changelog.push(tombstone(e, c));
      const time = e.claims.time[c] ?? 0, msg = e.claims.messageId(c);
      e.removeClaim(c);
      if (kept.length > 0) {
        const d = e.store(Int32Array.from(kept), time, msg);
        changelog.push(claimRecord(e, d));
      }
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
    for (const v of compact(records).values()) {
      const ids = g.e.internIds(v.identifiers);
      if (ids.length > 0) g.e.store(ids, v.eventTime, v.messageId);
    }
    g.e.rebuild();
    return g;
  }

  stats(): { identifiers: number; profiles: number; claims: number; hubs: number } {
    const e = this.e;
    return { identifiers: e.names.size, profiles: e.profiles.size, claims: e.claims.count, hubs: e.hubs.size };
  }
}
