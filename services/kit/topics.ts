// Topic names, derived from one configurable prefix (docs/architecture.md, topics).

export interface Topics {
  touchpoints: string;
  dlq: string;
  resolved: string;
  profiles: string;
  merges: string;
  changelog: string;
  /** Novel claims from the extract stage (compacted, keyed by claim key): the link stage's only input. */
  claims: string;
  /** Identifier → current profile (compacted, keyed by type:value): the table side of a stream–table join. */
  identifiers: string;
  /** Claim key → primary identifier and profile at link time (compacted): how the warehouse attributes events. */
  identityClaims: string;
  /** Claim key → the latest consent its touchpoints carried (compacted; docs/privacy.md, Consent). */
  consent: string;
  /** Erasure and export requests (one partition, so applied in the order they were made): docs/privacy.md. */
  privacyRequests: string;
  /** Erased identifiers by keyed hash (compacted, never tombstoned): restored by every stage that links or writes. */
  suppressions: string;
  /** What became of each privacy request, free of personal data. */
  privacyAudit: string;
}

export function topicNames(prefix: string): Topics {
  return {
    touchpoints: `${prefix}touchpoints`,
    dlq: `${prefix}touchpoints.dlq`,
    resolved: `${prefix}events.resolved`,
    profiles: `${prefix}profiles`,
    merges: `${prefix}identity.merges`,
    changelog: `${prefix}identity.changelog`,
    claims: `${prefix}claims`,
    identifiers: `${prefix}identity.identifiers`,
    identityClaims: `${prefix}identity.claims`,
    consent: `${prefix}consent`,
    privacyRequests: `${prefix}privacy.requests`,
    suppressions: `${prefix}privacy.suppressions`,
    privacyAudit: `${prefix}privacy.audit`,
  };
}
