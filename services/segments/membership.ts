// Membership changes of a refresh, and the records it publishes: previous members + members now → entered / exited,
// and per affected profile its complete membership. Pure: the same inputs give the same plan, so a refresh repeated
// over unchanged data changes nothing.

export type ChangeKind = 'entered' | 'exited';
export type ChangeReason = 'rule' | 'merged' | 'retired';

export interface Change { segmentId: string; profileId: string; change: ChangeKind; at: number; reason: ChangeReason; enteredAt: number }

/** The value of the membership topic (schemas/avro/segment-membership.avsc). */
export interface MembershipRecord {
  profileId: string;
  segments: { segmentId: string; enteredAt: number }[];
  changes: { segmentId: string; change: ChangeKind; at: number; reason: ChangeReason }[];
  mergedInto: string | null;
  refreshedAt: number;
}

export interface RefreshInput {
  /** The refresh's instant (epoch ms): every change carries it. */
  at: number;
  /** Segment id → its members now, for the segments this refresh evaluated. */
  evaluated: ReadonlyMap<string, ReadonlySet<string>>;
  /** Segments whose definitions are gone: every member leaves. */
  retired: readonly string[];
  /** Segment id → member → when it entered, as stored before this refresh (every segment that has members). */
  previous: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Merged-away profile id → the profile that holds it now. */
  survivors: ReadonlyMap<string, string>;
}

export interface RefreshPlan { changes: Change[]; records: MembershipRecord[] }

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function planRefresh(input: RefreshInput): RefreshPlan {
  const changes: Change[] = [];
  const empty = new Map<string, number>();
  const targets: [string, ReadonlySet<string>, boolean][] = [
    ...[...input.evaluated].map(([id, members]): [string, ReadonlySet<string>, boolean] => [id, members, false]),
    ...input.retired.filter((id) => !input.evaluated.has(id)).map((id): [string, ReadonlySet<string>, boolean] => [id, new Set(), true]),
  ].sort((a, b) => byString(a[0], b[0]));
  for (const [segmentId, now, retired] of targets) {
    const before = input.previous.get(segmentId) ?? empty;
    for (const profileId of [...before.keys()].sort(byString)) {
      if (now.has(profileId)) continue;
      const reason: ChangeReason = retired ? 'retired' : input.survivors.has(profileId) ? 'merged' : 'rule';
      changes.push({ segmentId, profileId, change: 'exited', at: input.at, reason, enteredAt: before.get(profileId)! });
    }
    for (const profileId of [...now].sort(byString)) {
      if (!before.has(profileId)) changes.push({ segmentId, profileId, change: 'entered', at: input.at, reason: 'rule', enteredAt: input.at });
    }
  }

  // Each affected profile's complete membership after the refresh: a compacted topic keeps only the latest record.
  const touched = new Map<string, Change[]>();
  for (const c of changes) touched.set(c.profileId, [...(touched.get(c.profileId) ?? []), c]);
  const after = new Map<string, Map<string, number>>(); // profile → segment → enteredAt
  for (const [segmentId, members] of input.previous) {
    for (const [profileId, enteredAt] of members) {
      if (!touched.has(profileId)) continue;
      let m = after.get(profileId);
      if (!m) after.set(profileId, (m = new Map()));
      m.set(segmentId, enteredAt);
    }
  }
  for (const c of changes) {
    let m = after.get(c.profileId);
    if (!m) after.set(c.profileId, (m = new Map()));
    if (c.change === 'entered') m.set(c.segmentId, c.at); else m.delete(c.segmentId);
  }
  const records = [...touched.keys()].sort(byString).map((profileId): MembershipRecord => ({
    profileId,
    segments: [...(after.get(profileId) ?? new Map<string, number>())].sort((a, b) => byString(a[0], b[0])).map(([segmentId, enteredAt]) => ({ segmentId, enteredAt })),
    changes: touched.get(profileId)!.map(({ segmentId, change, at, reason }) => ({ segmentId, change, at, reason })),
    mergedInto: input.survivors.get(profileId) ?? null,
    refreshedAt: input.at,
  }));
  return { changes, records };
}
