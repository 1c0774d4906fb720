// Privacy tests: the commands as a user runs them, and what a database holds, searched row by row for a raw value.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { select } from '../../services/kit/clickhouse.ts';
import { str } from '../../services/kit/sql.ts';
import type { IsolatedStack } from './stack.ts';

const tessera = fileURLToPath(new URL('../../bin/tessera', import.meta.url));

export interface Run { code: number; stdout: string; stderr: string; json: Record<string, unknown> | null }

export function tesseraCli(s: IsolatedStack, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(tessera, args, { env: { ...process.env, ...s.env, TESSERA_LOG_LEVEL: 'warn', ...env }, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      let json: Record<string, unknown> | null;
      try { json = JSON.parse(stdout) as Record<string, unknown>; } catch { json = null; }
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, json });
    });
  });
}

/**
 * The tables of a database (materialized views' own tables included) whose rows, every version and every column
 * (aggregate states too), hold `needle` in any letter case: what "ClickHouse keeps no raw value" means.
 */
export async function tablesHolding(ch: ClickHouseClient, db: string, needle: string): Promise<string[]> {
  const tables = await select<{ name: string }>(ch, `SELECT name FROM system.tables WHERE database = ${str(db)} AND engine NOT IN ('View', 'MaterializedView')`);
  const holding: string[] = [];
  for (const { name } of tables) {
    const rs = await ch.query({ query: `SELECT * FROM ${db}.\`${name}\``, format: 'JSONEachRow' });
    if ((await rs.text()).toLowerCase().includes(needle.toLowerCase())) holding.push(name);
  }
  return holding;
}

/** Copies every committed record of a topic (raw bytes, keys, headers) into another: the same records elsewhere. */
export async function copyTopic(kafka: Kafka, from: string, to: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(from).finally(() => admin.disconnect());
  // Ends count commit markers too (transactional topics): a partition is done when a batch reaches its end.
  const pending = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  if (pending.size === 0) return 0;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({ groupId: `copy-${from}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [from], fromBeginning: true });
  let copied = 0;
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      if (BigInt(e.payload.lastOffset) >= (pending.get(e.payload.partition) ?? 0n) - 1n) pending.delete(e.payload.partition);
      if (pending.size === 0) resolve();
    });
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (batch.messages.length === 0) return;
        await producer.send({ topic: to, messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
        copied += batch.messages.length;
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  await producer.disconnect();
  return copied;
}

/** Keys and values (raw bytes, as text) of every committed record of a topic that hold `needle` in any letter case. */
export async function recordsHolding(kafka: Kafka, topic: string, needle: RegExp): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const pending = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  const found: string[] = [];
  if (pending.size === 0) return found;
  const consumer = kafka.consumer({ groupId: `holding-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      if (BigInt(e.payload.lastOffset) >= (pending.get(e.payload.partition) ?? 0n) - 1n) pending.delete(e.payload.partition);
      if (pending.size === 0) resolve();
    });
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const text = `${m.key?.toString('latin1') ?? ''} ${m.value?.toString('latin1') ?? ''}`;
          if (needle.test(text)) found.push(`${batch.partition}@${m.offset}`);
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  return found;
}
