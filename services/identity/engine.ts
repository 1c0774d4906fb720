// The mutable core of the graph: interned identifiers, distinct claims, groups (union-find) and profiles,
// and the one resolution step that the fast path, a group recompute and a full rebuild all share.
import { blockedSet, claimText } from './canonical.ts';
import { ClaimStore } from './claims.ts';
import { growInt32 } from './grow.ts';
import { hash64 } from './hash.ts';
import { Interner } from './interner.ts';
import { ProfileStore } from './profiles.ts';
import { contests, OTHER_TYPES, ruleFor, type IdentityConfig } from './rules.ts';
import type { Identifier } from './types.ts';

export type Admission =
  | { kind: 'empty' }
  | { kind: 'known'; claim: number }
  | { kind: 'fast'; claim: number }
  | { kind: 'recompute'; claim: number; roots: number[] }
  /** A new claim holding only blocked values: stored, linking nothing. */
  | { kind: 'dormant'; claim: number }
  /** A known identifier set seen with an earlier key: call rekey() once the old state is captured. */
  | { kind: 'rekey'; claim: number; roots: number[] };

export class Engine {
  readonly names = new Interner();
  readonly claims = new ClaimStore();
  readonly profiles: ProfileStore;
  /**
   * Per identifier: union-find parent, profile, linking claim, next member of its profile, and weight: the summed
   * size of the distinct claims holding it (0 = no claim left; weight - 1 bounds its distinct neighbours).
   */
  parent = new Int32Array(0);
  prof = new Int32Array(0);
  linkClaim = new Int32Array(0);
  nextMember = new Int32Array(0);
  weight = new Int32Array(0);
  /** Per group root: first, last and latest-sorting claim of the group's claim list. */
  gHead = new Int32Array(0);
  gTail = new Int32Array(0);
  gMax = new Int32Array(0);
  /** Identifiers that may have more than hubBound neighbours (weight - 1 > hubBound): distinct neighbours per type slot. */
  readonly candidates = new Map<number, Map<number, Set<number>>>();
  readonly hubs = new Set<number>();
  /** The hubs that are contested shared devices (seen with more identifiers of a contesting type than a profile holds). */
  readonly contested = new Set<number>();
  /**
   * Per identifier of a contested type: a list (in the pool below) of the distinct contesting identifiers seen with
   * it, at most bound + 1 per type — a few entries for a person's cookie, nothing for identifiers of other types.
   */
  byHead = new Int32Array(0);
  private byId = new Int32Array(0);
  private byNext = new Int32Array(0);
  private byEnd = 0;
  /**
   * Per type slot, appended when a type is first seen (never recomputed per event: clients invent types):
   * priority, limit, may it be contested, does it contest, and its bound as a contesting type.
   */
  prio: number[] = [];
  limit: number[] = [];
  private contestable: boolean[] = [];
  private contesting: boolean[] = [];
  private contestBound: number[] = [];
  private scratch: Int32Array;
  config: IdentityConfig;

  constructor(config: IdentityConfig) {
    this.config = config;
    // The configured types take the first slots, whose counts live in each profile's dense row.
    const configured = [...config.rules.keys(), ...config.contested.types, ...config.contested.by, config.previousIdType];
    for (const t of configured) if (t !== OTHER_TYPES) this.names.typeSlot(t);
    this.profiles = new ProfileStore(this.names.typeNames.length);
    this.scratch = new Int32Array(this.profiles.dense);
    this.syncSlots();
  }

  setConfig(config: IdentityConfig): void {
    this.config = config;
    this.prio = [];
    this.limit = [];
    this.contestable = [];
    this.contesting = [];
    this.contestBound = [];
    this.syncSlots();
  }

  /** Adds the per-slot rule tables of types interned since the last call: O(new types), not O(all types). */
  private syncSlots(): void {
    const names = this.names.typeNames, c = this.config;
    for (let s = this.prio.length; s < names.length; s++) {
      const t = names[s] ?? '', r = ruleFor(c, t);
      this.prio.push(r.priority);
      this.limit.push(r.limit);
      this.contestable.push(c.contested.types.includes(t));
      this.contesting.push(contests(c, t));
      // A device seen with more values of a contesting type than one profile may hold; never above the hub bound.
      this.contestBound.push(Math.min(r.limit, c.hubBound));
    }
  }

  /** Strongest first: priority, then type name (types of equal priority), then value. */
  compareStrength(a: number, b: number): number {
    const sa = this.names.slot(a), sb = this.names.slot(b);
    if (sa !== sb) {
      const d = (this.prio[sa] ?? 0) - (this.prio[sb] ?? 0);
      if (d !== 0) return d;
      return (this.names.typeNames[sa] ?? '') < (this.names.typeNames[sb] ?? '') ? -1 : 1;
    }
    return this.names.compareValues(a, b);
  }

  /** Interns a claim's identifiers: sorted, duplicates removed. */
  internIds(identifiers: readonly Identifier[]): Int32Array {
    const out = new Int32Array(identifiers.length);
    identifiers.forEach((id, i) => { out[i] = this.names.intern(id.type, id.value); });
    if (this.names.typeNames.length !== this.prio.length) this.syncSlots();
    this.ensureIdCapacity(this.names.capacity);
    out.sort();
    let n = 0;
    for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[i - 1]) out[n++] = out[i] ?? 0;
    return out.subarray(0, n);
  }

  private ensureIdCapacity(n: number): void {
    if (n <= this.parent.length) return;
    const old = this.parent.length;
    this.parent = growInt32(this.parent, n);
    for (let i = old; i < this.parent.length; i++) this.parent[i] = i;
    this.prof = growInt32(this.prof, n);
    this.linkClaim = growInt32(this.linkClaim, n);
    this.nextMember = growInt32(this.nextMember, n);
    this.weight = growInt32(this.weight, n, 0);
    this.gHead = growInt32(this.gHead, n);
    this.gTail = growInt32(this.gTail, n);
    this.gMax = growInt32(this.gMax, n);
    this.byHead = growInt32(this.byHead, n);
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      const up = p[p[x] ?? x] ?? x;
      p[x] = up;
      x = up;
    }
    return x;
  }

  private union(a: number, b: number): void {
    let ra = this.find(a), rb = this.find(b);
    if (ra === rb) return;
    if (ra > rb) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    const hb = this.gHead[rb] ?? -1;
    if (hb >= 0) {
      const ta = this.gTail[ra] ?? -1;
      if (ta >= 0) this.claims.nextInGroup[ta] = hb; else this.gHead[ra] = hb;
      this.gTail[ra] = this.gTail[rb] ?? -1;
      const mb = this.gMax[rb] ?? -1, ma = this.gMax[ra] ?? -1;
      if (ma < 0 || this.compareClaims(mb, ma) > 0) this.gMax[ra] = mb;
    }
    this.gHead[rb] = -1;
    this.gTail[rb] = -1;
    this.gMax[rb] = -1;
  }

  /** Text of a claim's linkable set: sorted type/value pairs (profile ids: blocked values never change one). */
  linkText(c: number): string {
    const parts: string[] = [];
    for (const x of this.claims.ids(c)) parts.push(`${this.names.type(x)}\u0001${this.names.value(x)}`);
    return parts.sort().join('\u0002');
  }

  /** Canonical text of a claim: its linkable set, then its blocked values if any (claim ties). */
  canonical(c: number): string {
    return claimText(this.linkText(c), this.claims.blocked(c)?.text ?? '');
  }

  private readonly tie = (a: number, b: number): number => {
    const ca = this.canonical(a), cb = this.canonical(b);
    return ca === cb ? 0 : ca < cb ? -1 : 1;
  };

  compareClaims(a: number, b: number): number {
    return this.claims.compare(a, b, this.tie);
  }

  /** Stores a claim (or finds it) and says how the graph must catch up. */
  admit(identifiers: readonly Identifier[], blocked: readonly Identifier[] | undefined, time: number, msg: string): Admission {
    const ids = this.internIds(identifiers);
    const b = blockedSet(blocked);
    if (ids.length === 0 && b === null) return { kind: 'empty' };
    const existing = this.claims.find(ids, b);
    if (existing >= 0) {
      const t = this.claims.time[existing] ?? 0;
      if (time > t || (time === t && this.claims.msg.compareTo(existing, msg) <= 0)) return { kind: 'known', claim: existing };
      return { kind: 'rekey', claim: existing, roots: ids.length === 0 ? [] : [this.find(this.anchor(existing))] };
    }
    const c = this.claims.add(ids, time, msg, b);
    if (ids.length === 0) return { kind: 'dormant', claim: c };
    const newHubs: number[] = [];
    for (const x of ids) {
      this.weight[x] = (this.weight[x] ?? 0) + ids.length;
      if ((this.weight[x] ?? 0) - 1 > this.config.hubBound && this.trackHub(x, c)) newHubs.push(x);
      if (this.noteContest(x, ids)) newHubs.push(x);
    }
    let fast = newHubs.length === 0;
    for (const x of ids) {
      if (!fast) break;
      if (this.hubs.has(x)) continue;
      const m = this.gMax[this.find(x)] ?? -1;
      if (m >= 0 && this.compareClaims(c, m) < 0) fast = false;
    }
    this.attach(c);
    if (fast) return { kind: 'fast', claim: c };
    return { kind: 'recompute', claim: c, roots: [this.find(this.anchor(c)), ...newHubs.map((h) => this.find(h))] };
  }

  rekey(c: number, time: number, msg: string): void {
    this.claims.time[c] = time;
    this.claims.msg.set(c, msg);
  }

  /** Stores a claim without resolving it (restore, rule change); an identical claim keeps the earlier key. */
  store(ids: Int32Array, blocked: readonly Identifier[] | undefined, time: number, msg: string): number {
    const b = blockedSet(blocked);
    const existing = this.claims.find(ids, b);
    if (existing < 0) return this.claims.add(ids, time, msg, b);
    const t = this.claims.time[existing] ?? 0;
    if (time < t || (time === t && this.claims.msg.compareTo(existing, msg) > 0)) this.rekey(existing, time, msg);
    return existing;
  }

  removeClaim(c: number): void {
    const ids = this.claims.ids(c);
    for (const x of ids) this.weight[x] = (this.weight[x] ?? 0) - ids.length;
    this.claims.remove(c);
  }

  /** Splits a region into groups again after claims left it; returns the new roots. Identifiers left in no claim die. */
  regroup(ids: readonly number[], claims: readonly number[]): number[] {
    for (const x of ids) {
      this.unlink(x);
      this.parent[x] = x;
      this.gHead[x] = -1;
      this.gTail[x] = -1;
      this.gMax[x] = -1;
    }
    for (const c of claims) this.attach(c);
    // The region holds every claim of its (non-hub) identifiers: their shared-device lists are rebuilt from them.
    for (const x of ids) this.byHead[x] = -1;
    for (const c of claims) {
      const cids = this.claims.ids(c);
      for (const x of cids) this.noteContest(x, cids);
    }
    for (const x of ids) if ((this.weight[x] ?? 0) === 0) this.names.remove(x);
    return [...new Set(claims.map((c) => this.find(this.anchor(c))))];
  }

  /** Remembers the contesting identifiers seen with x; true when x just became contested (and so a hub). */
  private noteContest(x: number, ids: Int32Array): boolean {
    const names = this.names;
    if (!this.contestable[names.slot(x)] || this.contested.has(x)) return false;
    for (const y of ids) {
      const sy = names.slot(y);
      if (y === x || !this.contesting[sy]) continue;
      let same = 0, seen = false;
      for (let e = this.byHead[x] ?? -1; e >= 0; e = this.byNext[e] ?? -1) {
        const z = this.byId[e] ?? -1;
        if (z === y) { seen = true; break; }
        if (names.slot(z) === sy) same++;
      }
      if (seen) continue;
      const e = this.byEnd++;
      this.byId = growInt32(this.byId, e + 1);
      this.byNext = growInt32(this.byNext, e + 1);
      this.byId[e] = y;
      this.byNext[e] = this.byHead[x] ?? -1;
      this.byHead[x] = e;
      if (same + 1 > (this.contestBound[sy] ?? 0)) {
        this.contested.add(x);
        if (this.hubs.has(x)) return false;
        this.hubs.add(x);
        return true;
      }
    }
    return false;
  }

  /** The type whose values made x a contested shared device (for the refusal's reason). */
  contestedBy(x: number): string | null {
    const perSlot = new Map<number, number>();
    for (let e = this.byHead[x] ?? -1; e >= 0; e = this.byNext[e] ?? -1) {
      const s = this.names.slot(this.byId[e] ?? 0);
      perSlot.set(s, (perSlot.get(s) ?? 0) + 1);
      if ((perSlot.get(s) ?? 0) > (this.contestBound[s] ?? 0)) return this.names.typeNames[s] ?? null;
    }
    return null;
  }

  /** Keeps the distinct neighbours of a frequent identifier; true when it just became a hub. */
  private trackHub(x: number, c: number): boolean {
    let sets = this.candidates.get(x);
    if (sets === undefined) {
      sets = new Map();
      this.candidates.set(x, sets);
      // x is no hub yet, so every claim holding it sits in x's group.
      for (let d = this.gHead[this.find(x)] ?? -1; d >= 0; d = this.claims.nextInGroup[d] ?? -1) {
        if (d !== c && this.claims.ids(d).includes(x)) this.addNeighbours(sets, x, d);
      }
    }
    this.addNeighbours(sets, x, c);
    if (this.hubs.has(x)) return false;
    for (const s of sets.values()) {
      if (s.size > this.config.hubBound) {
        this.hubs.add(x);
        return true;
      }
    }
    return false;
  }

  private addNeighbours(sets: Map<number, Set<number>>, x: number, c: number): void {
    for (const y of this.claims.ids(c)) {
      if (y === x) continue;
      const slot = this.names.slot(y);
      let s = sets.get(slot);
      if (s === undefined) sets.set(slot, (s = new Set()));
      s.add(y);
    }
  }

  /** The identifier whose group holds the claim: its first non-hub identifier. */
  anchor(c: number): number {
    const ids = this.claims.ids(c);
    for (const x of ids) if (!this.hubs.has(x)) return x;
    return ids[0] ?? 0;
  }

  private attach(c: number): void {
    if ((this.claims.len[c] ?? 0) === 0) return; // holds only blocked values: in no group
    let anchor = -1;
    for (const x of this.claims.ids(c)) {
      if (this.hubs.has(x)) continue;
      if (anchor < 0) anchor = x; else this.union(anchor, x);
    }
    const r = this.find(anchor >= 0 ? anchor : this.anchor(c));
    this.claims.nextInGroup[c] = -1;
    const t = this.gTail[r] ?? -1;
    if (t >= 0) this.claims.nextInGroup[t] = c; else this.gHead[r] = c;
    this.gTail[r] = c;
    const m = this.gMax[r] ?? -1;
    if (m < 0 || this.compareClaims(c, m) > 0) this.gMax[r] = c;
  }

  /** A claim's identifiers, strongest first: (priority, type name, value). */
  byPriority(c: number): number[] {
    const ids = Array.from(this.claims.ids(c));
    return ids.length < 2 ? ids : ids.sort((a, b) => this.compareStrength(a, b));
  }

  /**
   * The resolution step: link the claim's identifiers, strongest first, into one profile; an identifier
   * whose own value or profile would push a type past its limit is left out (refused); hubs never link.
   */
  step(c: number): void {
    const P = this.profiles, acc: number[] = [], fresh: number[] = [], sc = this.scratch, D = P.dense, counts = P.counts, limit = this.limit;
    // Types beyond the dense row (invented by clients) are counted in a map, only when the claim meets one.
    let extra: Map<number, number> | null = null;
    sc.fill(0);
    for (const x of this.byPriority(c)) {
      if (this.hubs.has(x)) continue;
      const p = this.prof[x] ?? -1;
      if (p >= 0) {
        if (acc.includes(p)) continue;
        let fits = true;
        for (let s = 0, o = p * D; s < D && fits; s++) {
          const n = counts[o + s] ?? 0;
          if (n > 0 && (sc[s] ?? 0) + n > (limit[s] ?? 0)) fits = false;
        }
        const more = P.sparseCounts(p);
        if (fits && more !== undefined) for (const [s, n] of more) if ((extra?.get(s) ?? 0) + n > (limit[s] ?? 0)) fits = false;
        if (!fits) continue;
        acc.push(p);
        for (let s = 0, o = p * D; s < D; s++) sc[s] = (sc[s] ?? 0) + (counts[o + s] ?? 0);
        if (more !== undefined) for (const [s, n] of more) (extra ??= new Map()).set(s, (extra.get(s) ?? 0) + n);
      } else {
        const s = this.names.slot(x);
        const have = s < D ? sc[s] ?? 0 : extra?.get(s) ?? 0;
        if (have + 1 > (limit[s] ?? 0)) continue;
        fresh.push(x);
        if (s < D) sc[s] = have + 1; else (extra ??= new Map()).set(s, have + 1);
      }
    }
    if (acc.length === 0 && fresh.length === 0) return;
    let survivor: number;
    if (acc.length === 0) {
      const t = this.claims.time[c] ?? 0, m = this.claims.messageId(c);
      survivor = P.create(c, `p_${hash64(`${m}\u0000${t}\u0000${this.linkText(c)}`)}`, t);
    } else {
      survivor = acc.reduce((a, b) => (this.compareClaims(P.founder[a] ?? 0, P.founder[b] ?? 0) <= 0 ? a : b));
      for (const q of acc) if (q !== survivor) this.mergeInto(q, survivor);
    }
    for (const x of fresh) {
      this.prof[x] = survivor;
      this.linkClaim[x] = c;
      this.appendMember(survivor, x);
      P.addCount(survivor, this.names.slot(x), 1);
    }
    const t = this.claims.time[c] ?? 0;
    if (t > (P.lastSeen[survivor] ?? 0)) P.lastSeen[survivor] = t;
  }

  private appendMember(p: number, x: number): void {
    const P = this.profiles;
    this.nextMember[x] = -1;
    const t = P.tail[p] ?? -1;
    if (t >= 0) this.nextMember[t] = x; else P.head[p] = x;
    P.tail[p] = x;
  }

  private mergeInto(q: number, into: number): void {
    const P = this.profiles;
    for (let y = P.head[q] ?? -1; y >= 0; y = this.nextMember[y] ?? -1) this.prof[y] = into;
    const hq = P.head[q] ?? -1;
    if (hq >= 0) {
      const t = P.tail[into] ?? -1;
      if (t >= 0) this.nextMember[t] = hq; else P.head[into] = hq;
      P.tail[into] = P.tail[q] ?? -1;
    }
    P.addAll(into, q);
    if ((P.lastSeen[q] ?? 0) > (P.lastSeen[into] ?? 0)) P.lastSeen[into] = P.lastSeen[q] ?? 0;
    P.release(q);
  }

  /** Claims of the groups rooted at roots, and the identifiers those groups own. */
  collect(roots: readonly number[]): { claims: number[]; ids: number[] } {
    const rootSet = new Set(roots.map((r) => this.find(r)));
    const claims: number[] = [], seen = new Set<number>();
    for (const r of rootSet) {
      for (let c = this.gHead[r] ?? -1; c >= 0; c = this.claims.nextInGroup[c] ?? -1) {
        if (!this.claims.alive(c)) continue;
        claims.push(c);
        for (const x of this.claims.ids(c)) if (rootSet.has(this.find(x))) seen.add(x);
      }
    }
    return { claims, ids: [...seen] };
  }

  /** Forgets the profiles of the groups and resolves their claims again, in key order. */
  recompute(roots: readonly number[]): void {
    const { claims, ids } = this.collect(roots);
    for (const x of ids) this.unlink(x);
    claims.sort((a, b) => this.compareClaims(a, b));
    for (const r of new Set(roots.map((x) => this.find(x)))) {
      let m = -1;
      for (let c = this.gHead[r] ?? -1; c >= 0; c = this.claims.nextInGroup[c] ?? -1) {
        if (m < 0 || this.compareClaims(c, m) > 0) m = c;
      }
      this.gMax[r] = m;
    }
    for (const c of claims) this.step(c);
  }

  private unlink(x: number): void {
    const p = this.prof[x] ?? -1;
    if (p >= 0) this.profiles.release(p);
    this.prof[x] = -1;
    this.linkClaim[x] = -1;
    this.nextMember[x] = -1;
  }

  /** Rebuilds groups, hubs and profiles from the stored claims alone (restore, rule change, erasure of a hub). */
  rebuild(): void {
    const n = this.names.capacity;
    for (let x = 0; x < n; x++) {
      this.parent[x] = x;
      this.prof[x] = -1;
      this.linkClaim[x] = -1;
      this.nextMember[x] = -1;
      this.weight[x] = 0;
      this.gHead[x] = -1;
      this.gTail[x] = -1;
      this.gMax[x] = -1;
    }
    this.profiles.clear();
    this.candidates.clear();
    this.hubs.clear();
    this.contested.clear();
    this.byHead.fill(-1);
    this.byEnd = 0;
    const live: number[] = [];
    for (let c = 0; c < this.claims.end; c++) {
      if (!this.claims.alive(c)) continue;
      live.push(c);
      const ids = this.claims.ids(c);
      for (const x of ids) this.weight[x] = (this.weight[x] ?? 0) + ids.length;
    }
    for (let x = 0; x < n; x++) if ((this.weight[x] ?? 0) - 1 > this.config.hubBound) this.candidates.set(x, new Map());
    if (this.candidates.size > 0) {
      for (const c of live) {
        for (const x of this.claims.ids(c)) {
          const sets = this.candidates.get(x);
          if (sets !== undefined) this.addNeighbours(sets, x, c);
        }
      }
      for (const [x, sets] of this.candidates) {
        for (const s of sets.values()) if (s.size > this.config.hubBound) this.hubs.add(x);
      }
    }
    for (const c of live) {
      const ids = this.claims.ids(c);
      for (const x of ids) this.noteContest(x, ids);
    }
    for (let x = 0; x < n; x++) if (this.names.alive(x) && this.weight[x] === 0) this.names.remove(x);
    for (const c of live) this.attach(c);
    live.sort((a, b) => this.compareClaims(a, b));
    for (const c of live) this.step(c);
  }
}
