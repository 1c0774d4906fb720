// Produces touchpoints to Kafka as fast as possible or at a fixed rate, with progress on stderr.
import type { Kafka } from 'kafkajs';
import { idempotentProducer } from '../kit/kafka.ts';
import type { AvroCodec } from '../kit/registry.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';

export interface ProduceOptions {
  kafka: Kafka;
  codec: AvroCodec;
  topic: string;
  touchpoints: Iterable<Touchpoint>;
  total: number;
  /** Events per second; 0 = as fast as possible. */
  rate?: number;
  batchSize?: number;
  /** Raw records that are not valid Avro, to show the DLQ at work. */
  malformed?: Buffer[];
  onProgress?: (sent: number, total: number, elapsedMs: number) => void;
  /** Called with the send time of each batch's events, for latency measurement. */
  onSent?: (messageIds: string[], at: number) => void;
}

export const touchpointKey = (t: Touchpoint): string | null => t.anonymousId ?? t.userId ?? t.messageId;

export async function produceTouchpoints(o: ProduceOptions): Promise<{ sent: number; ms: number }> {
  const schemaId = await o.codec.register('touchpoint', `${o.topic}-value`);
  const producer = idempotentProducer(o.kafka);
  await producer.connect();
  const started = performance.now();
  const batchSize = o.batchSize ?? (o.rate ? Math.max(1, Math.min(1000, Math.ceil(o.rate / 20))) : 2000);
  let sent = 0;
  let batch: Touchpoint[] = [];
  const inFlight: Promise<unknown>[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const messages = batch.map((t) => ({ key: touchpointKey(t), value: o.codec.encode('touchpoint', schemaId, t) }));
    const ids = o.onSent ? batch.map((t) => t.messageId) : [];
    batch = [];
    const p = producer.send({ topic: o.topic, messages, acks: -1 }).then(() => o.onSent?.(ids, Date.now()));
    inFlight.push(p);
    if (inFlight.length >= 4) await inFlight.shift();
    sent += messages.length;
    o.onProgress?.(sent, o.total, performance.now() - started);
    if (o.rate) {
      const due = (sent / o.rate) * 1000 - (performance.now() - started);
      if (due > 0) await new Promise((r) => setTimeout(r, due));
    }
  };
  try {
    for (const t of o.touchpoints) {
      batch.push(t);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await Promise.all(inFlight);
    if (o.malformed?.length) await producer.send({ topic: o.topic, messages: o.malformed.map((value) => ({ key: 'malformed', value })) });
  } finally {
    await producer.disconnect();
  }
  return { sent, ms: performance.now() - started };
}

/** Records a real producer might write by mistake: JSON instead of Avro, a truncated record, an unknown schema id. */
export function malformedRecords(): Buffer[] {
  return [
    Buffer.from('{"type":"track","event":"Order Completed","userId":"json-instead-of-avro"}'),
    Buffer.from([0x00, 0x00, 0x00]),
    Buffer.from([0x00, 0x00, 0x0f, 0x42, 0x3f, 0x02, 0x61]),
  ];
}
