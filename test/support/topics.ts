// Reading a topic in tests: every record from the beginning, decoded, until a condition holds.
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { AvroCodec } from '../../services/kit/registry.ts';

export interface Read<V> { key: string | null; value: V | null; partition: number; offset: string; headers: Record<string, string> }

export async function readTopic<V>(
  kafka: Kafka, codec: AvroCodec, topic: string, schema: string,
  until: (records: Read<V>[]) => boolean, timeoutMs = 60_000,
): Promise<Read<V>[]> {
  const records: Read<V>[] = [];
  const consumer = kafka.consumer({ groupId: `test-read-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`readTopic(${topic}): condition not met in ${timeoutMs} ms; read ${records.length} records`)), timeoutMs);
      if (until(records)) return resolve();
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            let value: V | null = null;
            if (m.value) {
              const d = await codec.decode<V>(schema, m.value);
              if (!d.ok) return reject(new Error(`${topic}@${m.offset}: ${d.reason}`));
              value = d.value;
            }
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
            records.push({ key: m.key?.toString() ?? null, value, partition: batch.partition, offset: m.offset, headers });
          }
          if (until(records)) resolve();
        },
      }).catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return records;
}

/** The latest value per key, as a compacted topic holds it (null = tombstone). */
export function latestByKey<V>(records: Read<V>[]): Map<string, V | null> {
  const out = new Map<string, V | null>();
  for (const r of records) out.set(r.key ?? '', r.value);
  return out;
}
