// What the resolved-event stage must publish for a set of touchpoints: each event's profile by the pure core's
// resolve() — its strongest identifier that sits in a profile — and the link stage's tables fed to a join table.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { validateTouchpoint } from '../../services/contract/validate.ts';
import { defaultIdentityConfig, extractIdentifiers, ruleFor, type IdentityConfig } from '../../services/identity/index.ts';
import type { IdentityClaimRecord, IdentityIdentifierRecord } from '../../services/kit/records.ts';
import type { KafkaOut } from '../../services/kit/stage/encoder.ts';
import type { Topics } from '../../services/kit/topics.ts';
import type { ClaimProfileTable } from '../../services/resolved/table.ts';
import { expectedFor } from './claims.ts';

/** messageId → the profile resolve() puts the event in (null: none of its identifiers is in a profile), valid events only. */
export function expectedProfiles(touchpoints: readonly Touchpoint[], config: IdentityConfig = defaultIdentityConfig): Map<string, string | null> {
  const { snapshots } = expectedFor(touchpoints, config);
  const profileOf = new Map(snapshots.flatMap((p) => p.identifiers.map((l) => [`${l.identifier.type}:${l.identifier.value}`, p.profileId] as const)));
  const out = new Map<string, string | null>();
  for (const t of touchpoints) {
    if (!validateTouchpoint(t).ok) continue;
    // The identity graph's order: rule priority (1 strongest), then type, then value.
    const ids = [...extractIdentifiers(t, config).identifiers].sort((a, b) => ruleFor(config, a.type).priority - ruleFor(config, b.type).priority
      || (a.type < b.type ? -1 : a.type > b.type ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const primary = ids.find((i) => profileOf.has(`${i.type}:${i.value}`));
    out.set(t.messageId, primary ? profileOf.get(`${primary.type}:${primary.value}`)! : null);
  }
  return out;
}

/** Applies the link stage's table records (as its processor emits them) to a join table. */
export function feedTable(table: ClaimProfileTable, outs: readonly KafkaOut[], topics: Pick<Topics, 'identityClaims' | 'identifiers'>): void {
  for (const o of outs) {
    if (o.topic === topics.identityClaims) table.applyClaim(o.key, o.value as IdentityClaimRecord | null, o.value === null ? Number.MAX_SAFE_INTEGER : undefined);
    else if (o.topic === topics.identifiers) table.applyIdentifier(o.key, o.value as IdentityIdentifierRecord | null, o.value === null ? Number.MAX_SAFE_INTEGER : undefined);
  }
}
