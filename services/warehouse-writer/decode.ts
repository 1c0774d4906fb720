// Kafka message → rows: decodes each input topic's Avro value and hands it to the pure mappers (rows.ts, event-rows.ts).
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { Touchpoint } from '../contract/touchpoint.ts';
import type { IdentityConfig } from '../identity/index.ts';
import type { AvroCodec } from '../kit/registry.ts';
import {
  LINK_SCHEMAS, SCHEMAS, type IdentityChangeRecord, type IdentityClaimRecord, type IdentityIdentifierRecord, type ProfileRecord, type ResolvedEvent,
} from '../kit/records.ts';
import type { Topics } from '../kit/topics.ts';
import { scrubIdentityRows } from '../privacy/scrub.ts';
import type { SuppressionList } from '../privacy/suppression.ts';
import { resolvedRows, touchpointRows, type Skipped } from './event-rows.ts';
import {
  claimRows, identifierRows, identityChangeRows, profileRows, type IdentitiesFrom, type Mapped, type SourcePosition,
} from './rows.ts';

export type InputKind = 'touchpoints' | 'resolved' | 'profiles' | 'merges' | 'identifiers' | 'claims';

/**
 * Where events come from. `touchpoints` (the default path): the writer reads the touchpoints itself, beside the link
 * stage, and attributes events through identity.claims and identity.identifiers. `resolved`: the per-event resolved
 * stream of the resolver (before the link stage) with identities taken from the profile records.
 */
export type EventSource = 'touchpoints' | 'resolved';

export type Outcome = Mapped | Skipped | { ok: false; code: string; reason: string };

export interface DecodeContext {
  codec: AvroCodec;
  /** The identity rules of the extract stage: the same rules give the same identifiers and claim keys. */
  identity: IdentityConfig;
  identitiesFrom: IdentitiesFrom;
  /** Erased identifiers (docs/privacy.md): neither their raw values nor events attributable only to them are written. */
  suppression?: SuppressionList;
}

export function inputTopics(topics: Topics, events: EventSource): Record<string, InputKind> {
  const identity = { [topics.profiles]: 'profiles', [topics.merges]: 'merges' } as const;
  return events === 'touchpoints'
    ? { [topics.touchpoints]: 'touchpoints', ...identity, [topics.identifiers]: 'identifiers', [topics.identityClaims]: 'claims' }
    : { [topics.resolved]: 'resolved', ...identity };
}

export const identitiesFrom = (events: EventSource): IdentitiesFrom => (events === 'touchpoints' ? 'identifiers' : 'profiles');

function header(headers: IHeaders | undefined, name: string): string | null {
  const h = headers?.[name];
  const v = Array.isArray(h) ? h[h.length - 1] : h;
  return v === undefined ? null : v.toString();
}

/**
 * Permanent problems (bad bytes, unknown schema, invalid record) come back as { ok: false } (a bad touchpoint as
 * skipped: the extract stage dead-letters it); a registry outage throws a retriable error, so the batch is fetched
 * again rather than dead-lettered.
 */
export async function decodeMessage(ctx: DecodeContext, kind: InputKind, m: KafkaMessage, at: SourcePosition): Promise<Outcome> {
  const mapped = await mapMessage(ctx, kind, m, at);
  if (!mapped.ok || kind === 'touchpoints' || ctx.suppression === undefined) return mapped;
  return { ok: true, rows: scrubIdentityRows(mapped.rows, ctx.suppression) };
}

async function mapMessage(ctx: DecodeContext, kind: InputKind, m: KafkaMessage, at: SourcePosition): Promise<Outcome> {
  const { codec } = ctx;
  const key = m.key === null || m.key === undefined ? null : m.key.toString();
  switch (kind) {
    case 'touchpoints': {
      const d = await codec.decode<Touchpoint>(SCHEMAS.touchpoint, m.value);
      return d.ok ? touchpointRows(d.value, ctx.identity, at, ctx.suppression) : { ok: false, skipped: true, code: d.code, reason: d.reason };
    }
    case 'resolved': {
      const d = await codec.decode<ResolvedEvent>(SCHEMAS.resolved, m.value);
      return d.ok ? resolvedRows(d.value, ctx.identity, at) : d;
    }
    case 'profiles': {
      if (m.value === null) return profileRows(key, null, header(m.headers, 'version'), at, ctx.identitiesFrom);
      const d = await codec.decode<ProfileRecord>(SCHEMAS.profile, m.value);
      return d.ok ? profileRows(key, d.value, header(m.headers, 'version'), at, ctx.identitiesFrom) : d;
    }
    case 'merges': {
      const d = await codec.decode<IdentityChangeRecord>(SCHEMAS.identityChange, m.value);
      return d.ok ? identityChangeRows(d.value, at, ctx.identitiesFrom) : d;
    }
    case 'identifiers': {
      // The link stage tombstones an identifier only when it is erased: the privacy service deletes its rows, and a
      // row for the tombstone would put the raw value (the key) back.
      if (m.value === null) return ctx.suppression === undefined ? identifierRows(key, null, header(m.headers, 'version'), at) : { ok: true, rows: {} };
      const d = await codec.decode<IdentityIdentifierRecord>(LINK_SCHEMAS.identityIdentifier, m.value);
      return d.ok ? identifierRows(key, d.value, header(m.headers, 'version'), at) : d;
    }
    case 'claims': {
      if (m.value === null) return claimRows(key, null, header(m.headers, 'version'), at);
      const d = await codec.decode<IdentityClaimRecord>(LINK_SCHEMAS.identityClaim, m.value);
      return d.ok ? claimRows(key, d.value, header(m.headers, 'version'), at) : d;
    }
  }
}
