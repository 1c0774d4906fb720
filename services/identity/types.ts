// Public data shapes of the identity core: what goes in (claims) and what comes out of each step.

/** A normalised, typed identifier: user_id, anonymous_id, email, phone, device_id, advertising_id or an externalIds type. */
export interface Identifier { type: string; value: string }

/**
 * The identifiers one event carried, with the event's time (epoch ms) and messageId. `blocked`: its valid values
 * that the blocklist stops from linking (Extraction.blocked), kept so that un-blocking them links them.
 */
export interface Claim { messageId: string; eventTime: number; identifiers: Identifier[]; blocked?: Identifier[] }

export interface DroppedIdentifier { type: string; raw: string; code: 'BLOCKED' | 'INVALID' | 'TOO_LONG' | 'NO_CONSENT'; reason: string }

/** blocked: the normalised values among `dropped` that only a blocklist stopped (put them in the event's claim). */
export interface Extraction { identifiers: Identifier[]; dropped: DroppedIdentifier[]; blocked?: Identifier[] }

/** An identifier attached to a profile, with the event that linked it. */
export interface Link { identifier: Identifier; profileId: string; messageId: string; eventTime: number }

/** A profile merged away into the survivor, caused by the event messageId. */
export interface Merge { from: string; into: string; messageId: string; eventTime: number }

/** An identifier of the event that was left unlinked from the event's profile, and why. */
export interface Refusal {
  identifier: Identifier;
  code: 'LIMIT_EXCEEDED' | 'HUB_IDENTIFIER';
  reason: string;
  messageId: string;
  eventTime: number;
  /** The profile the identifier belongs to instead, if any. */
  profileId?: string;
}

/** An identifier re-attributed by a re-resolve (late event, rule change, erasure); null = unlinked. */
export interface Move { identifier: Identifier; from: string | null; to: string | null; messageId: string; eventTime: number }

export interface ProfileSnapshot { profileId: string; identifiers: Link[]; firstSeen: number; lastSeen: number }

export type ProfileChange =
  | { kind: 'upsert'; profile: ProfileSnapshot }
  | { kind: 'merged'; profileId: string; into: string }
  | { kind: 'deleted'; profileId: string };

/**
 * One record of the compacted changelog: a distinct claim keyed by its identifier set; null value = tombstone.
 * `blocked` (present only when the claim holds blocked values) restores them marked, still not linking.
 */
export interface ChangelogRecord {
  key: string;
  value: { messageId: string; eventTime: number; identifiers: Identifier[]; blocked?: Identifier[] } | null;
}

export interface StepResult {
  /** Profile the event resolves to (null if it had no linkable identifier). */
  profileId: string | null;
  /** The event's highest-priority linked identifier, for keying activity. */
  primaryIdentifier: Identifier | null;
  links: Link[];
  merges: Merge[];
  refusals: Refusal[];
  moves: Move[];
  profiles: ProfileChange[];
  changelog: ChangelogRecord[];
  /**
   * Other claims whose primary this step may have changed (they hold an identifier it linked, moved or unlinked),
   * each with its primary and that primary's profile now. Set by IdentityGraph.apply.
   */
  holders?: ClaimPrimary[];
}

/** A claim with the identifier its events are attributed through now (its primary) and that identifier's profile. */
export interface ClaimPrimary { key: string; messageId: string; eventTime: number; primaryIdentifier: Identifier | null; profileId: string | null }

/** What caused a re-resolve that no single event caused (erasure, rule change). */
export interface Cause { messageId: string; eventTime: number }

export function emptyStep(): StepResult {
  return { profileId: null, primaryIdentifier: null, links: [], merges: [], refusals: [], moves: [], profiles: [], changelog: [] };
}
