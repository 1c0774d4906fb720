// The end-to-end phases of the benchmark against the running services: sustained throughput of the resolver
// topology (the reference before the claims-first stages) until drained, and produce→queryable latency of probe
// events at a fixed rate on either topology.
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../services/kit/clickhouse.ts';
import { select } from '../services/kit/clickhouse.ts';
import type { AvroCodec } from '../services/kit/registry.ts';
import { ident, strList } from '../services/kit/sql.ts';
import type { Topics } from '../services/kit/topics.ts';
import type { Touchpoint } from '../services/contract/touchpoint.ts';
import { metric } from '../services/demo/processes.ts';
import { produceTouchpoints } from '../services/loadgen/produce.ts';
import { progressLine } from '../services/loadgen/progress.ts';
import { validateTouchpoint } from '../services/contract/validate.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Pipeline { kafka: Kafka; codec: AvroCodec; ch: ClickHouseClient; database: string; topics: Topics; resolverPort: number; writerPort: number }

/** A sample of the pipeline's progress; t in seconds since the first produce. */
export interface Sample { t: number; produced: number; consumed: number; resolved: number; queryable: number }

async function eventRows(p: Pipeline): Promise<number> {
  const [row] = await select<{ n: string }>(p.ch, `SELECT count() AS n FROM ${ident(p.database)}.events`);
  return Number(row?.n ?? 0);
}

/** A sample, retried: a starved event loop (the producer runs in this process) can lose a keep-alive socket. */
async function sample(p: Pipeline, t: number, produced: number): Promise<Sample> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sampleOnce(p, t, produced);
    } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(200 * attempt);
    }
  }
}

async function sampleOnce(p: Pipeline, t: number, produced: number): Promise<Sample> {
  const [consumed, resolved, queryable] = await Promise.all([
    metric(p.resolverPort, 'tessera_resolver_events_in_total'),
    metric(p.resolverPort, 'tessera_resolver_records_out_total', { topic: p.topics.resolved }),
    eventRows(p),
  ]);
  return { t, produced, consumed, resolved, queryable };
}

export interface ThroughputResult {
  produced: number; produceSeconds: number; drainedSeconds: number; eventsPerSecond: number;
  resolved: number; queryable: number; dlq: number; timeline: Sample[];
}

/**
 * Produces `touchpoints` as fast as possible and waits until the pipeline has drained: the resolver consumed every
 * record before `baseline` + these, and ClickHouse holds a row for every event it resolved (events count = resolved count).
 */
export async function throughput(p: Pipeline, touchpoints: readonly Touchpoint[], timeoutMs: number): Promise<ThroughputResult> {
  const before = await sample(p, 0, 0);
  const started = Date.now();
  const since = () => (Date.now() - started) / 1000;
  let produced = 0;
  const timeline: Sample[] = [];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      const s = await sample(p, since(), produced);
      timeline.push({ ...s, consumed: s.consumed - before.consumed, resolved: s.resolved - before.resolved, queryable: s.queryable - before.queryable });
      process.stdout.write(`\r  ${progressLine('queryable', s.queryable - before.queryable, touchpoints.length, Date.now() - started)} | produced ${produced.toLocaleString('en-US')}   `);
      await sleep(250);
    }
  })();
  const result = await produceTouchpoints({
    kafka: p.kafka, codec: p.codec, topic: p.topics.touchpoints, touchpoints, total: touchpoints.length,
    onProgress: (sent) => { produced = sent; },
  });
  const produceSeconds = result.ms / 1000;
  let last: Sample;
  for (;;) {
    last = await sample(p, since(), produced);
    const consumed = last.consumed - before.consumed;
    const resolved = last.resolved - before.resolved;
    const queryable = last.queryable - before.queryable;
    if (consumed >= touchpoints.length && queryable >= resolved) break;
    if (Date.now() - started > timeoutMs) throw new Error(`not drained after ${timeoutMs / 1000} s: consumed ${consumed}, resolved ${resolved}, queryable ${queryable} of ${touchpoints.length}`);
    await sleep(100);
  }
  const drainedSeconds = since();
  done = true;
  await sampler;
  process.stdout.write('\n');
  const resolved = last.resolved - before.resolved;
  const end: Sample = { t: drainedSeconds, produced, consumed: last.consumed - before.consumed, resolved, queryable: last.queryable - before.queryable };
  timeline.push(end);
  return {
    produced: touchpoints.length, produceSeconds, drainedSeconds, eventsPerSecond: touchpoints.length / drainedSeconds,
    resolved, queryable: end.queryable, dlq: touchpoints.length - resolved, timeline,
  };
}

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
