// Records of the claims topology for writer tests: touchpoints as the collector publishes them, and the link stage's
// identity.claims / identity.identifiers records (built here until the link stage publishes them itself).
import type { Kafka, Message } from 'kafkajs';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { claimKey, defaultIdentityConfig, extractIdentifiers } from '../../services/identity/index.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { LINK_SCHEMAS, SCHEMAS, type IdentityClaimRecord, type IdentityIdentifierRecord } from '../../services/kit/records.ts';
import type { AvroCodec } from '../../services/kit/registry.ts';
import type { Topics } from '../../services/kit/topics.ts';

/** The claim key the extract stage computes for a touchpoint (default identity rules). */
export const claimOf = (t: Touchpoint): string => { const x = extractIdentifiers(t, defaultIdentityConfig); return claimKey(x.identifiers, x.blocked); };

/** The link stage's record for a touchpoint's claim, attributed to `primary` (null: no identifier linked). */
export function linkedClaim(t: Touchpoint, primary: [string, string] | null, profileId: string | null, version: number): IdentityClaimRecord {
  return {
    claimKey: claimOf(t), primaryType: primary?.[0] ?? null, primaryValue: primary?.[1] ?? null, profileId,
    messageId: t.messageId, eventTime: t.timestamp, version,
  };
}

export function identifierOf(type: string, value: string, profileId: string | null, version: number, eventTime = Date.UTC(2026, 0, 1)): IdentityIdentifierRecord {
  return { type, value, profileId, messageId: `m-${type}-${value}`, eventTime, version };
}

/** Produces touchpoints and the link stage's records in the Confluent wire format. */
export class LinkPublisher {
  private ids: { touchpoint: number; claim: number; identifier: number } | null = null;
  private readonly producer;

  constructor(kafka: Kafka, private readonly codec: AvroCodec, private readonly topics: Topics) {
    this.producer = idempotentProducer(kafka);
  }

  async connect(): Promise<void> {
    this.ids = {
      touchpoint: await this.codec.register(SCHEMAS.touchpoint, `${this.topics.touchpoints}-value`),
      claim: await this.codec.register(LINK_SCHEMAS.identityClaim, `${this.topics.identityClaims}-value`),
      identifier: await this.codec.register(LINK_SCHEMAS.identityIdentifier, `${this.topics.identifiers}-value`),
    };
    await this.producer.connect();
  }

  async touchpoints(tps: readonly Touchpoint[], chunk = 5_000): Promise<void> {
    for (let i = 0; i < tps.length; i += chunk) {
      await this.producer.send({
        topic: this.topics.touchpoints,
        messages: tps.slice(i, i + chunk).map((t) => ({ key: t.anonymousId ?? t.userId ?? t.messageId, value: this.codec.encode(SCHEMAS.touchpoint, this.ids!.touchpoint, t) })),
      });
    }
  }

  async claims(records: (IdentityClaimRecord | { tombstone: string; version: number })[]): Promise<void> {
    const messages: Message[] = records.map((r) => ('tombstone' in r
      ? { key: r.tombstone, value: null, headers: { version: String(r.version) } }
      : { key: r.claimKey, value: this.codec.encode(LINK_SCHEMAS.identityClaim, this.ids!.claim, r) }));
    await this.producer.send({ topic: this.topics.identityClaims, messages });
  }

  async identifiers(records: IdentityIdentifierRecord[]): Promise<void> {
    await this.producer.send({
      topic: this.topics.identifiers,
      messages: records.map((r) => ({ key: `${r.type}:${r.value}`, value: this.codec.encode(LINK_SCHEMAS.identityIdentifier, this.ids!.identifier, r) })),
    });
  }

  async raw(topic: string, value: Buffer): Promise<void> {
    await this.producer.send({ topic, messages: [{ key: 'raw', value }] });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
