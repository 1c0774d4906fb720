// Kafka message → rows: decodes each input topic's Avro value and hands it to the pure mappers (rows.ts, event-rows.ts).
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { Touchpoint } from '../contract/touchpoint.ts';
import type { IdentityConfig } from '../identity/index.ts';
import type { AvroCodec } from '../kit/registry.ts';
import {
  LINK_SCHEMAS, SCHEMAS, type IdentityChangeRecord, type IdentityClaimRecord, type IdentityIdentifierRecord, type ProfileRecord,
} from '../kit/records.ts';
import type { Topics } from '../kit/topics.ts';
import { touchpointRows, type Skipped } from './event-rows.ts';
import { claimRows, identifierRows, identityChangeRows, profileRows, type Mapped, type SourcePosition } from './rows.ts';

export type InputKind = 'touchpoints' | 'profiles' | 'merges' | 'identifiers' | 'claims';

export type Outcome = Mapped | Skipped | { ok: false; code: string; reason: string };

export interface DecodeContext {
  codec: AvroCodec;
  /** The identity rules of the extract stage: the same rules give the same identifiers and claim keys. */
  identity: IdentityConfig;
}

/**
 * The writer reads the touchpoints itself, beside the link stage (not a per-event stream the graph owner or another
 * stage republishes), and attributes events through the link stage's identity.claims and identity.identifiers.
 */
export function inputTopics(topics: Topics): Record<string, InputKind> {
  return {
    [topics.touchpoints]: 'touchpoints', [topics.profiles]: 'profiles', [topics.merges]: 'merges',
    [topics.identifiers]: 'identifiers', [topics.identityClaims]: 'claims',
  };
}

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
  const { codec } = ctx;
  const key = m.key === null || m.key === undefined ? null : m.key.toString();
  switch (kind) {
    case 'touchpoints': {
      const d = await codec.decode<Touchpoint>(SCHEMAS.touchpoint, m.value);
      return d.ok ? touchpointRows(d.value, ctx.identity, at) : { ok: false, skipped: true, code: d.code, reason: d.reason };
    }
    case 'profiles': {
      if (m.value === null) return profileRows(key, null, header(m.headers, 'version'), at);
      const d = await codec.decode<ProfileRecord>(SCHEMAS.profile, m.value);
      return d.ok ? profileRows(key, d.value, header(m.headers, 'version'), at) : d;
    }
    case 'merges': {
      const d = await codec.decode<IdentityChangeRecord>(SCHEMAS.identityChange, m.value);
      return d.ok ? identityChangeRows(d.value, at) : d;
    }
    case 'identifiers': {
      if (m.value === null) return identifierRows(key, null, header(m.headers, 'version'), at);
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
