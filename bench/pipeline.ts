// Produce→queryable latency of probe events at a fixed rate against the running pipeline (the throughput phase is
// bench/claims-pipeline.ts).
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../services/kit/clickhouse.ts';
import { select } from '../services/kit/clickhouse.ts';
import type { AvroCodec } from '../services/kit/registry.ts';
import { ident, strList } from '../services/kit/sql.ts';
import type { Touchpoint } from '../services/contract/touchpoint.ts';
import { produceTouchpoints } from '../services/loadgen/produce.ts';
import { progressLine } from '../services/loadgen/progress.ts';
import { validateTouchpoint } from '../services/contract/validate.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Probe { messageId: string; ackAt: number; seenAt: number | null }
export interface LatencyResult { rate: number; seconds: number; sent: number; probes: Probe[]; pollMs: number; achievedRate: number }

/** Where the latency probes go and where they are looked for: any topology that writes the touchpoints to `events`. */
export interface LatencyTarget { kafka: Kafka; codec: AvroCodec; ch: ClickHouseClient; database: string; touchpointsTopic: string }

/**
 * Produces at a fixed rate and follows every `probeEvery`-th event: from the producer's acknowledgement until a
 * query on ClickHouse returns its row (polled every `pollMs`).
 */
export async function latency(p: LatencyTarget, touchpoints: readonly Touchpoint[], o: { rate: number; probeEvery: number; pollMs: number; timeoutMs: number }): Promise<LatencyResult> {
  // Only valid events reach ClickHouse; an invalid one goes to the DLQ.
  const probeIds = new Set(touchpoints.filter((t, i) => i % o.probeEvery === 0 && validateTouchpoint(t).ok).map((t) => t.messageId));
  const probes = new Map<string, Probe>();
  const pending = new Set<string>();
  const db = ident(p.database);
  const started = Date.now();
  let produced = 0;
  let producing = true;
  const poller = (async () => {
    let nextLine = 0;
    while (producing || pending.size > 0) {
      const t0 = Date.now();
      if (pending.size > 0) {
        const ids = [...pending];
        const seen = await select<{ message_id: string }>(p.ch, `SELECT message_id FROM ${db}.events WHERE message_id IN ${strList(ids)}`).catch(() => []);
        const at = Date.now();
        for (const { message_id } of seen) {
          const probe = probes.get(message_id);
          if (probe && probe.seenAt === null) { probe.seenAt = at; pending.delete(message_id); }
        }
      }
      if (t0 >= nextLine) {
        nextLine = t0 + 1000;
        process.stdout.write(`\r  ${progressLine('producing', produced, touchpoints.length, t0 - started)} | probes seen ${[...probes.values()].filter((x) => x.seenAt !== null).length}/${probeIds.size}   `);
      }
      if (!producing && Date.now() - started > o.timeoutMs) break;
      await sleep(Math.max(0, o.pollMs - (Date.now() - t0)));
    }
  })();
  const result = await produceTouchpoints({
    kafka: p.kafka, codec: p.codec, topic: p.touchpointsTopic, touchpoints, total: touchpoints.length, rate: o.rate,
    onProgress: (sent) => { produced = sent; },
    onSent: (ids, at) => {
      for (const id of ids) {
        if (!probeIds.has(id)) continue;
        probes.set(id, { messageId: id, ackAt: at, seenAt: null });
        pending.add(id);
      }
    },
  });
  producing = false;
  await poller;
  process.stdout.write('\n');
  return { rate: o.rate, seconds: result.ms / 1000, sent: result.sent, probes: [...probes.values()], pollMs: o.pollMs, achievedRate: result.sent / (result.ms / 1000) };
}
