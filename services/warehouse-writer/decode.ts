// Kafka message → the writer's input value: decodes each input topic's Avro value through the registry (I/O); the
// pure processor (processor.ts) maps it to rows.
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { Touchpoint } from '../contract/touchpoint.ts';
import type { AvroCodec } from '../kit/registry.ts';
import {
  LINK_SCHEMAS, SCHEMAS, type IdentityChangeRecord, type IdentityClaimRecord, type IdentityIdentifierRecord, type ProfileRecord,
} from '../kit/records.ts';
import type { InputDecoder } from '../kit/stage/types.ts';
import type { Topics } from '../kit/topics.ts';

export type InputKind = 'touchpoints' | 'profiles' | 'merges' | 'identifiers' | 'claims';

/**
 * One input record, decoded. A keyed record's `value` null is a tombstone (its `version` header says which version).
 * A touchpoint that does not decode is a value too: the extract stage dead-letters it, the writer only counts it.
 */
export type WriterInput =
  | { kind: 'touchpoints'; value: Touchpoint }
  | { kind: 'unreadable-touchpoint'; code: string; reason: string }
  | { kind: 'merges'; value: IdentityChangeRecord }
  | { kind: 'profiles'; key: string | null; version: string | null; value: ProfileRecord | null }
  | { kind: 'identifiers'; key: string | null; version: string | null; value: IdentityIdentifierRecord | null }
  | { kind: 'claims'; key: string | null; version: string | null; value: IdentityClaimRecord | null };

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
 * Permanent problems (bad bytes, unknown schema) come back as { ok: false } (→ DLQ; a bad touchpoint as a value the
 * processor counts); a registry outage throws a retriable error, so the chunk is read again rather than dead-lettered.
 */
export function writerDecoder(codec: AvroCodec, kinds: Readonly<Record<string, InputKind>>): InputDecoder<WriterInput> {
  const ok = (value: WriterInput) => ({ ok: true as const, value });
  return async (m: KafkaMessage, topic: string) => {
    const key = m.key === null || m.key === undefined ? null : m.key.toString();
    const version = header(m.headers, 'version');
    const kind = kinds[topic];
    if (kind === undefined) throw new Error(`the writer reads no topic ${topic}; this is a bug in its wiring`);
    switch (kind) {
      case 'touchpoints': {
        const d = await codec.decode<Touchpoint>(SCHEMAS.touchpoint, m.value);
        return ok(d.ok ? { kind, value: d.value } : { kind: 'unreadable-touchpoint', code: d.code, reason: d.reason });
      }
      case 'merges': {
        const d = await codec.decode<IdentityChangeRecord>(SCHEMAS.identityChange, m.value);
        return d.ok ? ok({ kind, value: d.value }) : d;
      }
      case 'profiles': {
        if (m.value === null) return ok({ kind, key, version, value: null });
        const d = await codec.decode<ProfileRecord>(SCHEMAS.profile, m.value);
        return d.ok ? ok({ kind, key, version, value: d.value }) : d;
      }
      case 'identifiers': {
        if (m.value === null) return ok({ kind, key, version, value: null });
        const d = await codec.decode<IdentityIdentifierRecord>(LINK_SCHEMAS.identityIdentifier, m.value);
        return d.ok ? ok({ kind, key, version, value: d.value }) : d;
      }
      case 'claims': {
        if (m.value === null) return ok({ kind, key, version, value: null });
        const d = await codec.decode<IdentityClaimRecord>(LINK_SCHEMAS.identityClaim, m.value);
        return d.ok ? ok({ kind, key, version, value: d.value }) : d;
      }
    }
  };
}
