// Before/after views of a part of the graph, and the step output (links, merges, moves, profile changes) between them.
import type { Engine } from './engine.ts';
import type { Cause, Identifier, Link, Merge, Move, ProfileChange, ProfileSnapshot } from './types.ts';

export interface View { links: Map<number, Link>; profiles: Map<string, ProfileSnapshot> }

const byIdentifier = (a: Link, b: Link): number =>
  a.identifier.type < b.identifier.type ? -1 : a.identifier.type > b.identifier.type ? 1
    : a.identifier.value < b.identifier.value ? -1 : a.identifier.value > b.identifier.value ? 1 : 0;

/** A profile's snapshot; links sorted by (type, value). When `into` is given, each member's link is recorded there. */
export function snapshot(e: Engine, p: number, into?: Map<number, Link>): ProfileSnapshot {
  const P = e.profiles, profileId = P.idOf[p] ?? '', identifiers: Link[] = [];
  for (let x = P.head[p] ?? -1; x >= 0; x = e.nextMember[x] ?? -1) {
    const c = e.linkClaim[x] ?? 0;
    const link: Link = { identifier: e.names.identifier(x), profileId, messageId: e.claims.messageId(c), eventTime: e.claims.time[c] ?? 0 };
    identifiers.push(link);
    into?.set(x, link);
  }
  identifiers.sort(byIdentifier);
  const founder = P.founder[p] ?? 0;
  return { profileId, identifiers, firstSeen: e.claims.time[founder] ?? 0, lastSeen: P.lastSeen[p] ?? 0 };
}

/** The links of the given identifiers and the whole profiles they sit in. */
export function capture(e: Engine, ids: Iterable<number>): View {
  const view: View = { links: new Map(), profiles: new Map() };
  for (const x of ids) {
    const p = e.prof[x] ?? -1;
    if (p < 0) continue;
    const id = e.profiles.idOf[p] ?? '';
    if (!view.profiles.has(id)) view.profiles.set(id, snapshot(e, p, view.links));
  }
  return view;
}

function sameSnapshot(a: ProfileSnapshot, b: ProfileSnapshot): boolean {
  if (a.firstSeen !== b.firstSeen || a.lastSeen !== b.lastSeen || a.identifiers.length !== b.identifiers.length) return false;
  return a.identifiers.every((l, i) => {
    const m = b.identifiers[i];
    return m !== undefined && l.identifier.type === m.identifier.type && l.identifier.value === m.identifier.value
      && l.messageId === m.messageId && l.eventTime === m.eventTime;
  });
}

export interface Changes { links: Link[]; merges: Merge[]; moves: Move[]; profiles: ProfileChange[] }

/**
 * A profile that vanished with all its identifiers in one other profile was merged into it; one that vanished
 * otherwise was deleted. An identifier whose profile changed other than by such a merge moved.
 */
export function diff(before: View, after: View, cause: Cause): Changes {
  const out: Changes = { links: [], merges: [], moves: [], profiles: [] };
  const mergedInto = new Map<string, string>();
  // Where the identifiers of each vanished profile went, in one pass over the links.
  const targetsOf = new Map<string, Set<string | null>>();
  for (const [x, l] of before.links) {
    if (after.profiles.has(l.profileId)) continue;
    let t = targetsOf.get(l.profileId);
    if (t === undefined) targetsOf.set(l.profileId, (t = new Set()));
    t.add(after.links.get(x)?.profileId ?? null);
  }
  for (const id of before.profiles.keys()) {
    if (after.profiles.has(id)) continue;
    const targets = targetsOf.get(id) ?? new Set<string | null>();
    const [into] = targets;
    if (targets.size === 1 && into !== undefined && into !== null) {
      mergedInto.set(id, into);
      out.merges.push({ from: id, into, ...cause });
      out.profiles.push({ kind: 'merged', profileId: id, into });
    } else {
      out.profiles.push({ kind: 'deleted', profileId: id });
    }
  }
  const keys = new Set([...before.links.keys(), ...after.links.keys()]);
  for (const x of keys) {
    const b = before.links.get(x), a = after.links.get(x);
    const from = b?.profileId ?? null, to = a?.profileId ?? null;
    const followsMerge = from !== null && mergedInto.get(from) === to;
    const moved = from !== to && !followsMerge;
    const identifier: Identifier = (a ?? b)?.identifier ?? { type: '', value: '' };
    if (moved && from !== null) out.moves.push({ identifier, from, to, ...cause });
    if (a !== undefined && (b === undefined || moved || b.messageId !== a.messageId || b.eventTime !== a.eventTime)) out.links.push(a);
  }
  for (const [id, now] of after.profiles) {
    const old = before.profiles.get(id);
    if (old === undefined || !sameSnapshot(old, now)) out.profiles.push({ kind: 'upsert', profile: now });
  }
  return out;
}
