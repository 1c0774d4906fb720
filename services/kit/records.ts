// The records Tessera publishes (schemas/avro/*.avsc other than the touchpoint), in TypeScript.
import type { Touchpoint } from '../contract/touchpoint.ts';

export interface IdentifierRecord { type: string; value: string }

export interface ResolvedEvent {
  touchpoint: Touchpoint;
  profileId: string | null;
  primaryIdentifier: IdentifierRecord | null;
  identifiers: IdentifierRecord[];
  dropped: { type: string; code: string; reason: string }[];
  refusals: { identifier: IdentifierRecord; code: string; reason: string; profileId: string | null }[];
  resolvedAt: number;
}

export interface LinkedIdentifierRecord { type: string; value: string; messageId: string; eventTime: number }

export interface ProfileRecord {
  profileId: string;
  state: 'active' | 'merged';
  mergedInto: string | null;
  identifiers: LinkedIdentifierRecord[];
  firstSeen: number;
  lastSeen: number;
  version: number;
}

export interface IdentityChangeRecord {
  kind: 'merge' | 'move';
  fromProfileId: string | null;
  intoProfileId: string | null;
  identifier: IdentifierRecord | null;
  messageId: string;
  eventTime: number;
  version: number;
}

/** blocked: valid values a blocklist kept from linking, stored so that un-blocking them can link them (default []). */
export interface ClaimRecord { messageId: string; eventTime: number; identifiers: IdentifierRecord[]; blocked?: IdentifierRecord[] }

/** identity.identifiers: the identifier's current profile (null = no longer linked), and the event behind it. */
export interface IdentityIdentifierRecord {
  type: string;
  value: string;
  profileId: string | null;
  messageId: string;
  eventTime: number;
  version: number;
}

/** consent: the latest consent a claim's touchpoints carried (schemas/avro/consent.avsc). */
export interface ConsentRecord {
  claimKey: string; messageId: string; eventTime: number;
  advertising: boolean; analytics: boolean; personalisation: boolean; categories: Record<string, boolean>;
}

/** The consent topic's schema, apart from SCHEMAS (the resolver registers one id per SCHEMAS entry and has no consent). */
export const CONSENT_SCHEMA = 'consent';

/** identity.claims: the claim's primary identifier and profile when the link stage linked it. */
export interface IdentityClaimRecord {
  claimKey: string;
  primaryType: string | null;
  primaryValue: string | null;
  profileId: string | null;
  messageId: string;
  eventTime: number;
  version: number;
}

export interface DeadLetterRecord {
  code: string;
  reason: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  key: Buffer | null;
  value: Buffer | null;
  service: string;
  failedAt: number;
}

/** privacy.requests: an erasure or export request, the identifier as typed. */
export interface PrivacyRequestRecord {
  requestId: string;
  kind: 'erase' | 'export';
  identifierType: string;
  identifierValue: string;
  requestedBy: string;
  requestedAt: number;
}

/** privacy.suppressions: an erased identifier by keyed hash (key: the hash). */
export interface SuppressionRecord {
  hash: string;
  identifierType: string;
  requestId: string;
  requestedBy: string;
  requestedAt: number;
  claimsDropped: number;
  profilesChanged: number;
}

/** privacy.audit: what became of a request at one step, without personal data. */
export interface PrivacyAuditRecord {
  requestId: string;
  kind: string;
  step: 'graph' | 'warehouse' | 'export';
  outcome: 'erased' | 'rejected' | 'unknown' | 'already_erased' | 'duplicate' | 'exported' | 'pending';
  code: string | null;
  final: boolean;
  hash: string | null;
  identifierType: string | null;
  requestedBy: string;
  requestedAt: number;
  reason: string;
  counts: Record<string, number>;
}

/** Avro schema file (schemas/avro/<name>.avsc) and subject suffix of each record. */
export const SCHEMAS = {
  touchpoint: 'touchpoint',
  resolved: 'resolved-event',
  profile: 'profile',
  identityChange: 'identity-change',
  claim: 'claim',
  deadLetter: 'dead-letter',
} as const;

/**
 * Schemas of the link stage's new tables. Apart from SCHEMAS while the resolver, which registers one id per
 * SCHEMAS entry, still runs; they join SCHEMAS when it is removed.
 */
export const LINK_SCHEMAS = {
  identityIdentifier: 'identity-identifier',
  identityClaim: 'identity-claim',
} as const;

/** Schemas of the privacy topics (docs/privacy.md). */
export const PRIVACY_SCHEMAS = {
  request: 'privacy-request',
  suppression: 'suppression',
  audit: 'privacy-audit',
} as const;
