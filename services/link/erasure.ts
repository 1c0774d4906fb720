// The link stage's part of a privacy request (pure): answer it, or erase the identifier from the graph — tombstones,
// merges undone where it was the only bridge, the claims that held it linked again without it — and add it to the
// suppression list, all in the transaction that consumes the request.
import { claimKey, type Claim, type Identifier, type IdentityGraph } from '../identity/index.ts';
import type { ClaimRecord, PrivacyAuditRecord, PrivacyRequestRecord, SuppressionRecord } from '../kit/records.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { Topics } from '../kit/topics.ts';
import { validateRequest, type Subject } from '../privacy/subject.ts';
import { stripClaim, type SuppressionList } from '../privacy/suppression.ts';
import type { LinkOutputs } from './outputs.ts';

export type PrivacyTopics = Pick<Topics, 'claims' | 'suppressions' | 'privacyAudit' | 'merges' | 'identifiers' | 'identityClaims'>;

export interface RequestResult {
  outcome: PrivacyAuditRecord['outcome'] | 'ignored';
  /** The records besides the graph's own (LinkOutputs): the audit record and, for an erasure, the suppression. */
  records: KafkaOut[];
}

const same = (a: Identifier, b: Identifier) => a.type === b.type && a.value === b.value;
const holds = (c: Claim, id: Identifier) => c.identifiers.some((i) => same(i, id)) || (c.blocked ?? []).some((i) => same(i, id));

/** Reads the request's identifier with the graph's own normalisation (the one extraction uses). */
function subjectOf(r: PrivacyRequestRecord, graph: IdentityGraph): Subject {
  return validateRequest(r, (type, value) => {
    const n = graph.normalise({ type, value });
    return n.ok ? { ok: true, identifier: n.identifier }
      : { ok: false, code: 'TSR_PRIVACY_INVALID_IDENTIFIER', reason: `not a valid ${n.dropped.type}: ${n.dropped.reason}` };
  });
}

export function applyRequest(
  r: PrivacyRequestRecord, state: { graph: IdentityGraph; suppression: SuppressionList }, out: LinkOutputs, topics: PrivacyTopics,
): RequestResult {
  // Exports read ClickHouse (the export command); the graph has nothing to do for them.
  if (r.kind === 'export') return { outcome: 'ignored', records: [] };
  const audit = (a: Pick<PrivacyAuditRecord, 'outcome' | 'code' | 'final' | 'hash' | 'identifierType' | 'reason' | 'counts'>): KafkaOut => {
    const value: PrivacyAuditRecord = { requestId: r.requestId, kind: String(r.kind), step: 'graph', requestedBy: r.requestedBy, requestedAt: r.requestedAt, ...a };
    return { topic: topics.privacyAudit, key: r.requestId, value };
  };
  const answer = (outcome: PrivacyAuditRecord['outcome'], code: string, reason: string, hash: string | null = null, identifierType: string | null = null): RequestResult =>
    ({ outcome, records: [audit({ outcome, code, final: true, hash, identifierType, reason, counts: {} })] });

  const subject = subjectOf(r, state.graph);
  if (!subject.ok) return answer('rejected', subject.code, subject.reason);
  const id = subject.identifier;
  const hash = state.suppression.hashOf(id);
  const earlier = state.suppression.entry(hash);
  if (earlier !== undefined) {
    return earlier.requestId === r.requestId
      ? answer('duplicate', 'TSR_PRIVACY_DUPLICATE_REQUEST', 'this request was already applied; nothing more was done', hash, id.type)
      : answer('already_erased', 'TSR_PRIVACY_ALREADY_ERASED', `erased by request ${earlier.requestId}; it stays suppressed`, hash, id.type);
  }

  // The claims that held it, read before they go: each comes back without it (stripClaim), as a replay would give it.
  const held = state.graph.changelog().filter((c) => c.value !== null && holds(c.value, id)).map((c) => c.value!);
  const erasure = state.graph.forget(id, { messageId: `privacy:${r.requestId}`, eventTime: r.requestedAt });
  if (!erasure.ok) return answer('rejected', 'TSR_PRIVACY_INVALID_IDENTIFIER', erasure.dropped.reason);
  const step = erasure.step;
  if (step.changelog.length === 0) {
    return answer('unknown', 'TSR_PRIVACY_UNKNOWN_IDENTIFIER', `no claim holds this ${id.type}; nothing was changed`, hash, id.type);
  }
  const suppression: SuppressionRecord = {
    hash, identifierType: id.type, requestId: r.requestId, requestedBy: r.requestedBy, requestedAt: r.requestedAt,
    claimsDropped: held.length, profilesChanged: step.profiles.length,
  };
  state.suppression.add(suppression);
  out.addStep(step, id);
  // The identity.claims record of each dropped claim named its primary identifier, perhaps this one: tombstone it.
  for (const c of step.changelog) if (c.value === null) out.tombstoneClaim(c.key);
  let relinked = 0;
  // The claims topic is compacted: its records of these claims would keep the raw value for ever. Each is tombstoned
  // and published again without the identifier, so the topic holds what the graph holds (a replay of it from offset 0
  // builds the same graph) and compaction removes the raw copies.
  const claimRecords: KafkaOut[] = [];
  for (const c of held) {
    claimRecords.push({ topic: topics.claims, key: claimKey(c.identifiers, c.blocked ?? []), value: null });
    const s = stripClaim(c, state.suppression);
    if (s.claim === null) continue;
    relinked += 1;
    const step = state.graph.apply(s.claim);
    out.addStep(step, id);
    // What the graph now holds for the stripped claim (nothing when an earlier event of the same set is there).
    for (const r of step.changelog) {
      if (r.value === null) continue;
      const value: ClaimRecord = { messageId: r.value.messageId, eventTime: r.value.eventTime, identifiers: r.value.identifiers, blocked: r.value.blocked ?? [] };
      claimRecords.push({ topic: topics.claims, key: r.key, value });
    }
  }
  const counts = { claims_dropped: held.length, claims_relinked: relinked, profiles_changed: step.profiles.length, identifiers_moved: step.moves.length };
  return {
    outcome: 'erased',
    records: [
      ...claimRecords,
      { topic: topics.suppressions, key: hash, value: suppression },
      audit({ outcome: 'erased', code: null, final: false, hash, identifierType: id.type, reason: 'erased from the identity graph; ClickHouse next', counts }),
    ],
  };
}
