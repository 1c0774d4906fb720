// Kafka message → rows: decodes each input topic's Avro value and hands it to the pure mappers in rows.ts.
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { AvroCodec } from '../kit/registry.ts';
import { SCHEMAS, type IdentityChangeRecord, type ProfileRecord, type ResolvedEvent } from '../kit/records.ts';
import type { Topics } from '../kit/topics.ts';
import { identityChangeRows, profileRows, resolvedRows, type Mapped, type SourcePosition } from './rows.ts';

export type InputKind = 'resolved' | 'profiles' | 'merges';

export type Outcome = Mapped | { ok: false; code: string; reason: string };

export function inputTopics(topics: Topics): Record<string, InputKind> {
  return { [topics.resolved]: 'resolved', [topics.profiles]: 'profiles', [topics.merges]: 'merges' };
}

function header(headers: IHeaders | undefined, name: string): string | null {
  const h = headers?.[name];
  const v = Array.isArray(h) ? h[h.length - 1] : h;
  return v === undefined ? null : v.toString();
}

/**
 * Permanent problems (bad bytes, unknown schema, invalid record) come back as { ok: false }; a registry
 * outage throws a retriable error, so the batch is fetched again rather than dead-lettered.
 */
export async function decodeMessage(codec: AvroCodec, kind: InputKind, m: KafkaMessage, at: SourcePosition): Promise<Outcome> {
  switch (kind) {
    case 'resolved': {
      const d = await codec.decode<ResolvedEvent>(SCHEMAS.resolved, m.value);
      return d.ok ? resolvedRows(d.value, at) : d;
    }
    case 'profiles': {
      const key = m.key === null ? null : m.key.toString();
      if (m.value === null) return profileRows(key, null, header(m.headers, 'version'), at);
      const d = await codec.decode<ProfileRecord>(SCHEMAS.profile, m.value);
      return d.ok ? profileRows(key, d.value, header(m.headers, 'version'), at) : d;
    }
    case 'merges': {
      const d = await codec.decode<IdentityChangeRecord>(SCHEMAS.identityChange, m.value);
      return d.ok ? identityChangeRows(d.value, at) : d;
    }
  }
}
