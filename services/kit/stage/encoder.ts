// Kafka messages of a stage's outputs and dead letters, in the Confluent wire format with registered schema ids.
import type { Message } from 'kafkajs';
import { SCHEMAS, type DeadLetterRecord } from '../records.ts';
import type { AvroCodec } from '../registry.ts';

/** A record for a Kafka topic: the value is encoded with the schema registered for the topic; null = tombstone. */
export interface KafkaOut { topic: string; key: string; value: object | null; headers?: Record<string, string> }

export class StageEncoder {
  private ids: Map<string, number> | null = null;
  private dlqId = 0;

  /** `outputs`: topic → schemas/avro name; dead letters go to `dlqTopic`. */
  constructor(private readonly codec: AvroCodec, private readonly outputs: Record<string, string>, readonly dlqTopic: string) {}

  /** Registers every output schema under `<topic>-value` (idempotent). */
  async register(): Promise<void> {
    const ids = new Map<string, number>();
    for (const [topic, schema] of Object.entries(this.outputs)) ids.set(topic, await this.codec.register(schema, `${topic}-value`));
    this.dlqId = await this.codec.register(SCHEMAS.deadLetter, `${this.dlqTopic}-value`);
    this.ids = ids;
  }

  encode(o: KafkaOut): Message {
    const id = this.ids?.get(o.topic);
    if (id === undefined) throw new Error(`no schema registered for output topic ${o.topic}; declare it in the stage's outputs`);
    return {
      key: o.key,
      value: o.value === null ? null : this.codec.encode(this.outputs[o.topic]!, id, o.value),
      ...(o.headers ? { headers: o.headers } : {}),
    };
  }

  deadLetter(d: DeadLetterRecord): Message {
    return { key: d.key, value: this.codec.encode(SCHEMAS.deadLetter, this.dlqId, d) };
  }

  /** One topicMessages list for a produce request: outputs grouped by topic, then the dead letters. */
  topicMessages(outputs: readonly KafkaOut[], deadLetters: readonly DeadLetterRecord[]): { topic: string; messages: Message[] }[] {
    const byTopic = new Map<string, Message[]>();
    for (const o of outputs) {
      const list = byTopic.get(o.topic) ?? [];
      list.push(this.encode(o));
      byTopic.set(o.topic, list);
    }
    if (deadLetters.length) byTopic.set(this.dlqTopic, [...(byTopic.get(this.dlqTopic) ?? []), ...deadLetters.map((d) => this.deadLetter(d))]);
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }
}

/** Counts for the metrics: records per topic and dead letters per code. */
export function countUnit(outputs: readonly KafkaOut[], deadLetters: readonly DeadLetterRecord[], out: Map<string, number>, dlq: Map<string, number>, dlqTopic: string): void {
  for (const o of outputs) out.set(o.topic, (out.get(o.topic) ?? 0) + 1);
  if (deadLetters.length) out.set(dlqTopic, (out.get(dlqTopic) ?? 0) + deadLetters.length);
  for (const d of deadLetters) dlq.set(d.code, (dlq.get(d.code) ?? 0) + 1);
}
