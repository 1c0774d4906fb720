// Submitting a privacy request: write it to privacy.requests (durable, in order) and wait for its final answer on
// privacy.audit. The command line uses it; an admin HTTP endpoint is meant to use the same.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { idempotentProducer } from '../kit/kafka.ts';
import type { Logger } from '../kit/log.ts';
import { PRIVACY_SCHEMAS, type PrivacyAuditRecord, type PrivacyRequestRecord } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { StageEncoder } from '../kit/stage/encoder.ts';
import type { Topics } from '../kit/topics.ts';
import { followTopic } from './follow.ts';

export interface SubmitOptions {
  kafka: Kafka;
  codec: AvroCodec;
  topics: Topics;
  log: Logger;
  /** How long to wait for the final answer; the request stays durable (and pending) after that. */
  timeoutMs: number;
}

export type Answer = { final: true; audit: PrivacyAuditRecord } | { final: false; requestId: string; steps: PrivacyAuditRecord[] };

export function newRequest(kind: PrivacyRequestRecord['kind'], type: string, value: string, requestedBy: string, requestId: string = randomUUID(), now = Date.now()): PrivacyRequestRecord {
  return { requestId, kind, identifierType: type, identifierValue: value, requestedBy, requestedAt: now };
}

/** Writes the request, then follows the audit topic from where it ended before the write until the request's final record. */
export async function submit(o: SubmitOptions, request: PrivacyRequestRecord): Promise<Answer> {
  const encoder = new StageEncoder(o.codec, { [o.topics.privacyRequests]: PRIVACY_SCHEMAS.request, [o.topics.privacyAudit]: PRIVACY_SCHEMAS.audit }, o.topics.dlq);
  await encoder.register();
  const admin = o.kafka.admin();
  await admin.connect();
  const [p0] = await admin.fetchTopicOffsets(o.topics.privacyAudit).finally(() => admin.disconnect());
  const steps: PrivacyAuditRecord[] = [];
  let settle: (a: PrivacyAuditRecord) => void = () => undefined;
  const answered = new Promise<PrivacyAuditRecord>((resolve) => { settle = resolve; });
  const follower = await followTopic<PrivacyAuditRecord>({
    kafka: o.kafka, codec: o.codec, topic: o.topics.privacyAudit, schema: PRIVACY_SCHEMAS.audit, log: o.log,
    groupId: `tessera-privacy-${randomUUID()}`, fromOffset: p0?.high ?? '0',
    apply: (a) => {
      if (a.requestId !== request.requestId) return;
      steps.push(a);
      if (a.final) settle(a);
    },
  });
  const producer = idempotentProducer(o.kafka);
  await producer.connect();
  try {
    await producer.send({ topic: o.topics.privacyRequests, acks: -1, messages: [encoder.encode({ topic: o.topics.privacyRequests, key: request.requestId, value: request })] });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), o.timeoutMs); });
    const audit = await Promise.race([answered, timeout]);
    clearTimeout(timer);
    return audit === null ? { final: false, requestId: request.requestId, steps } : { final: true, audit };
  } finally {
    await producer.disconnect();
    await follower.stop();
  }
}

/** Writes one audit record (the export command records each export it made). */
export async function publishAudit(o: Pick<SubmitOptions, 'kafka' | 'codec' | 'topics'>, audit: PrivacyAuditRecord): Promise<void> {
  const encoder = new StageEncoder(o.codec, { [o.topics.privacyAudit]: PRIVACY_SCHEMAS.audit }, o.topics.dlq);
  await encoder.register();
  const producer = idempotentProducer(o.kafka);
  await producer.connect();
  try {
    await producer.send({ topic: o.topics.privacyAudit, acks: -1, messages: [encoder.encode({ topic: o.topics.privacyAudit, key: audit.requestId, value: audit })] });
  } finally {
    await producer.disconnect();
  }
}

/** Writes a request without waiting for an answer (an export: the command itself reads ClickHouse). */
export async function writeRequest(o: Pick<SubmitOptions, 'kafka' | 'codec' | 'topics'>, request: PrivacyRequestRecord): Promise<void> {
  const encoder = new StageEncoder(o.codec, { [o.topics.privacyRequests]: PRIVACY_SCHEMAS.request }, o.topics.dlq);
  await encoder.register();
  const producer = idempotentProducer(o.kafka);
  await producer.connect();
  try {
    await producer.send({ topic: o.topics.privacyRequests, acks: -1, messages: [encoder.encode({ topic: o.topics.privacyRequests, key: request.requestId, value: request })] });
  } finally {
    await producer.disconnect();
  }
}
