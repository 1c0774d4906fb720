// Pure mapping from identity-core step results to the records the resolver publishes; no I/O.
import type {
  ClaimRecord, IdentityChangeRecord, ProfileRecord, ResolvedEvent,
} from '../kit/records.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import type { Extraction, ProfileChange, StepResult } from '../identity/index.ts';

export interface Out<V> { key: string; value: V | null; version: number }

/** A resolved event, with its touchpoint's Avro body when it can be spliced in unchanged. */
export interface ResolvedOut extends Out<ResolvedEvent> { touchpointBody: Buffer | null }

/** What one transaction publishes, coalesced: compacted topics keep only the last record per key. */
export class OutputBatch {
  readonly resolved: ResolvedOut[] = [];
  readonly changes: Out<IdentityChangeRecord>[] = [];
  private readonly profiles = new Map<string, Out<ProfileRecord>>();
  /**
   * The last active snapshot of each profile merged away or deleted later in this batch. Coalescing would publish
   * such a profile only as merged (or as a tombstone), so downstream would never learn its identifiers: no anchor row,
   * and the events resolved to it could not be followed to the current profile. It is published before its end.
   */
  private readonly lastActive = new Map<string, Out<ProfileRecord>>();
  private readonly claims = new Map<string, Out<ClaimRecord>>();
  counts = { merges: 0, moves: 0, refusals: 0, links: 0, unresolved: 0 };

  constructor(private readonly nextVersion: () => number) {}

  /** Adds the outcome of resolving one touchpoint. */
  addEvent(t: Touchpoint, extraction: Extraction, step: StepResult, resolvedAt: number, touchpointBody: Buffer | null = null): void {
    this.resolved.push({
      touchpointBody,
      key: step.profileId ?? t.messageId,
      version: this.nextVersion(),
      value: {
        touchpoint: t,
        profileId: step.profileId,
        primaryIdentifier: step.primaryIdentifier,
        identifiers: step.profileId === null ? [] : linkedIdentifiers(extraction, step),
        dropped: extraction.dropped.map((d) => ({ type: d.type, code: d.code, reason: d.reason })),
        refusals: step.refusals.map((r) => ({ identifier: r.identifier, code: r.code, reason: r.reason, profileId: r.profileId ?? null })),
        resolvedAt,
      },
    });
    if (step.profileId === null) this.counts.unresolved += 1;
    this.addStep(step);
  }

  /** Adds the graph-level effects of a step (also used for erasure and re-resolve, which have no event). */
  addStep(step: StepResult): void {
    for (const m of step.merges) {
      this.changes.push({
        key: m.from,
        version: this.nextVersion(),
        value: { kind: 'merge', fromProfileId: m.from, intoProfileId: m.into, identifier: null, messageId: m.messageId, eventTime: m.eventTime, version: 0 },
      });
    }
    for (const mv of step.moves) {
      this.changes.push({
        key: `${mv.identifier.type}:${mv.identifier.value}`,
        version: this.nextVersion(),
        value: { kind: 'move', fromProfileId: mv.from, intoProfileId: mv.to, identifier: mv.identifier, messageId: mv.messageId, eventTime: mv.eventTime, version: 0 },
      });
    }
    for (const p of step.profiles) this.addProfile(p);
    for (const c of step.changelog) {
      this.claims.set(c.key, { key: c.key, version: 0, value: c.value });
    }
    this.counts.merges += step.merges.length;
    this.counts.moves += step.moves.length;
    this.counts.refusals += step.refusals.length;
    this.counts.links += step.links.length;
  }

  private addProfile(p: ProfileChange): void {
    const version = this.nextVersion();
    if (p.kind !== 'upsert') {
      const previous = this.profiles.get(p.profileId);
      if (previous?.value?.state === 'active') this.lastActive.set(p.profileId, previous);
    }
    if (p.kind === 'deleted') {
      this.profiles.set(p.profileId, { key: p.profileId, version, value: null });
      return;
    }
    if (p.kind === 'merged') {
      this.profiles.set(p.profileId, {
        key: p.profileId, version,
        value: { profileId: p.profileId, state: 'merged', mergedInto: p.into, identifiers: [], firstSeen: 0, lastSeen: 0, version },
      });
      return;
    }
    const s = p.profile;
    this.profiles.set(s.profileId, {
      key: s.profileId, version,
      value: {
        profileId: s.profileId, state: 'active', mergedInto: null,
        identifiers: s.identifiers.map((l) => ({ type: l.identifier.type, value: l.identifier.value, messageId: l.messageId, eventTime: l.eventTime })),
        firstSeen: s.firstSeen, lastSeen: s.lastSeen, version,
      },
    });
  }

  /** The profile records to publish: per key in version order, each key's latest state last (compaction keeps it). */
  profileRecords(): Out<ProfileRecord>[] {
    return [...this.lastActive.values(), ...this.profiles.values()];
  }

  claimRecords(): Out<ClaimRecord>[] {
    return [...this.claims.values()];
  }

  changeRecords(): Out<IdentityChangeRecord>[] {
    return this.changes.map((c) => ({ ...c, value: c.value && { ...c.value, version: c.version } }));
  }

  get size(): number {
    return this.resolved.length + this.changes.length + this.lastActive.size + this.profiles.size + this.claims.size;
  }
}

/** The event's identifiers that ended up in its profile (refused ones are not). */
function linkedIdentifiers(extraction: Extraction, step: StepResult) {
  const refused = new Set(step.refusals.map((r) => `${r.identifier.type}\u0000${r.identifier.value}`));
  return extraction.identifiers.filter((i) => !refused.has(`${i.type}\u0000${i.value}`));
}
