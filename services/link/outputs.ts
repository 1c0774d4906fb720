// Pure mapping from the identity graph's step results to the link stage's records, coalesced per transaction:
// compacted topics keep only the last record per key; merges and moves are kept in order.
import type { Identifier, ProfileChange, StepResult } from '../identity/index.ts';
import {
  LINK_SCHEMAS, SCHEMAS, type ClaimRecord, type IdentityChangeRecord, type IdentityClaimRecord,
  type IdentityIdentifierRecord, type ProfileRecord,
} from '../kit/records.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { Topics } from '../kit/topics.ts';

export type LinkTopics = Pick<Topics, 'profiles' | 'merges' | 'changelog' | 'identifiers' | 'identityClaims'>;

/** The schema of each output topic, for the encoder. */
export function linkOutputSchemas(t: LinkTopics): Record<string, string> {
  return {
    [t.profiles]: SCHEMAS.profile,
    [t.merges]: SCHEMAS.identityChange,
    [t.changelog]: SCHEMAS.claim,
    [t.identifiers]: LINK_SCHEMAS.identityIdentifier,
    [t.identityClaims]: LINK_SCHEMAS.identityClaim,
  };
}

const versioned = (topic: string, key: string, value: object | null, version: number): KafkaOut =>
  ({ topic, key, value, headers: { version: String(version) } });

export class LinkOutputs {
  private readonly changes: KafkaOut[] = [];
  private readonly compacted = new Map<string, KafkaOut>();

  constructor(private readonly t: LinkTopics, private readonly nextVersion: () => number) {}

  /**
   * Adds what linking one claim (or an erasure) changed. `erased`: an identifier being erased, which no record may
   * name again — its move is left out of identity.merges and its identity.identifiers record becomes a tombstone.
   */
  addStep(step: StepResult, erased?: Identifier): void {
    const isErased = (i: Identifier) => erased !== undefined && i.type === erased.type && i.value === erased.value;
    for (const m of step.merges) {
      const version = this.nextVersion();
      const value: IdentityChangeRecord = { kind: 'merge', fromProfileId: m.from, intoProfileId: m.into, identifier: null, messageId: m.messageId, eventTime: m.eventTime, version };
      this.changes.push({ topic: this.t.merges, key: m.from, value });
    }
    for (const mv of step.moves) {
      if (isErased(mv.identifier)) continue;
      const version = this.nextVersion();
      const value: IdentityChangeRecord = { kind: 'move', fromProfileId: mv.from, intoProfileId: mv.to, identifier: mv.identifier, messageId: mv.messageId, eventTime: mv.eventTime, version };
      this.changes.push({ topic: this.t.merges, key: `${mv.identifier.type}:${mv.identifier.value}`, value });
    }
    for (const p of step.profiles) this.addProfile(p);
    for (const c of step.changelog) {
      const value: ClaimRecord | null = c.value;
      this.put({ topic: this.t.changelog, key: c.key, value });
      if (c.value !== null) this.addClaim(c.key, c.value, step);
    }
    // A claim's events are attributed through its primary: the claims whose primary the step may have changed are
    // written again (a later step of the transaction overwrites them like any compacted record).
    for (const h of step.holders ?? []) this.putClaim(h.key, h.primaryIdentifier, h.profileId, h.messageId, h.eventTime);
    this.addIdentifiers(step, isErased);
    if (erased !== undefined) this.put(versioned(this.t.identifiers, `${erased.type}:${erased.value}`, null, this.nextVersion()));
  }

  /** A claim that left the graph: its identity.claims record goes too (it may name an erased primary identifier). */
  tombstoneClaim(claimKey: string): void {
    this.put(versioned(this.t.identityClaims, claimKey, null, this.nextVersion()));
  }

  /** Every record, merges and moves first (in order), then the latest record per key of each compacted topic. */
  records(): KafkaOut[] {
    return [...this.changes, ...this.compacted.values()];
  }

  private put(o: KafkaOut): void {
    const k = `${o.topic}\u0000${o.key}`;
    // Delete first so that the record sits at its latest position: a key's last record is its final value.
    this.compacted.delete(k);
    this.compacted.set(k, o);
  }

  private addClaim(claimKey: string, claim: NonNullable<StepResult['changelog'][number]['value']>, step: StepResult): void {
    this.putClaim(claimKey, step.primaryIdentifier, step.profileId, claim.messageId, claim.eventTime);
  }

  private putClaim(claimKey: string, primary: Identifier | null, profileId: string | null, messageId: string, eventTime: number): void {
    const version = this.nextVersion();
    const value: IdentityClaimRecord = {
      claimKey, primaryType: primary?.type ?? null, primaryValue: primary?.value ?? null, profileId, messageId, eventTime, version,
    };
    this.put(versioned(this.t.identityClaims, claimKey, value, version));
  }

  /**
   * The identifiers whose profile or linking event changed: new and moved links, the identifiers that left every
   * profile, and — after a merge — every identifier of the survivor (those that followed the merge are in no link).
   */
  private addIdentifiers(step: StepResult, isErased: (i: Identifier) => boolean): void {
    // Most steps merge nothing: no survivor to rewrite (and no set to build).
    if (step.merges.length > 0) {
      const survivors = new Set(step.merges.map((m) => m.into));
      for (const p of step.profiles) {
        if (p.kind !== 'upsert' || !survivors.has(p.profile.profileId)) continue;
        for (const l of p.profile.identifiers) this.putIdentifier(l.identifier.type, l.identifier.value, l.profileId, l.messageId, l.eventTime, isErased);
      }
    }
    for (const l of step.links) this.putIdentifier(l.identifier.type, l.identifier.value, l.profileId, l.messageId, l.eventTime, isErased);
    for (const mv of step.moves) if (mv.to === null) this.putIdentifier(mv.identifier.type, mv.identifier.value, null, mv.messageId, mv.eventTime, isErased);
  }

  // A method, not a closure made per step: under tsx every closure created also pays a __name call.
  private putIdentifier(type: string, value: string, profileId: string | null, messageId: string, eventTime: number, isErased: (i: Identifier) => boolean): void {
    if (isErased({ type, value })) return;
    const version = this.nextVersion();
    const v: IdentityIdentifierRecord = { type, value, profileId, messageId, eventTime, version };
    this.put(versioned(this.t.identifiers, `${type}:${value}`, v, version));
  }

  private addProfile(p: ProfileChange): void {
    const version = this.nextVersion();
    if (p.kind === 'deleted') {
      this.put(versioned(this.t.profiles, p.profileId, null, version));
      return;
    }
    const value: ProfileRecord = p.kind === 'merged'
      ? { profileId: p.profileId, state: 'merged', mergedInto: p.into, identifiers: [], firstSeen: 0, lastSeen: 0, version }
      : {
        profileId: p.profile.profileId, state: 'active', mergedInto: null,
        identifiers: p.profile.identifiers.map((l) => ({ type: l.identifier.type, value: l.identifier.value, messageId: l.messageId, eventTime: l.eventTime })),
        firstSeen: p.profile.firstSeen, lastSeen: p.profile.lastSeen, version,
      };
    this.put(versioned(this.t.profiles, value.profileId, value, version));
  }
}
