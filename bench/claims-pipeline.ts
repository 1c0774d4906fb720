// The claims-first pipeline as the benchmark runs it: N extract instances → link → warehouse writer (reading the
// touchpoints itself), each a child process on its own topic prefix and database; produce, wait until drained, and
// what each stage's process spent in CPU on the way.
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../services/kit/clickhouse.ts';
import { select } from '../services/kit/clickhouse.ts';
import { createMissingTopics } from '../services/kit/kafka.ts';
import { migrate } from '../services/kit/migrate.ts';
import type { AvroCodec } from '../services/kit/registry.ts';
import { ident } from '../services/kit/sql.ts';
import { topicNames, type Topics } from '../services/kit/topics.ts';
import type { Touchpoint } from '../services/contract/touchpoint.ts';
import { validateTouchpoint } from '../services/contract/validate.ts';
import { freePort, metric, startService, stopService, waitReady, type ServiceProcess } from '../services/demo/processes.ts';
import { produceTouchpoints } from '../services/loadgen/produce.ts';
import { progressLine } from '../services/loadgen/progress.ts';
import { cpuSeconds, peakRss } from './services.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
const extractIn = (p: ClaimsPipeline) => Promise.all(p.extracts.map((x) => metric(x.port, 'tessera_extract_records_in_total')));

export interface ClaimsPipeline {
  name: string; prefix: string; topics: Topics; database: string; groups: { extract: string; link: string; writer: string };
  extracts: ServiceProcess[]; link: ServiceProcess; writer: ServiceProcess;
  /** Every service process, extract instances first. */
  services(): ServiceProcess[];
}

export interface PipelineEnv { kafka: Kafka; codec: AvroCodec; ch: ClickHouseClient; base: Record<string, string>; logDir: string; partitions: number }

/** Creates the topics and the database of `name`, then starts link, the writer and `extracts` extract instances; all ready. */
export async function startClaimsPipeline(e: PipelineEnv, name: string, o: { extracts: number; nodeFlags?: (service: string) => string[]; writerEnv?: Record<string, string> }): Promise<ClaimsPipeline> {
  const prefix = `${e.base.TESSERA_TOPIC_PREFIX}${name}.`;
  const database = `${e.base.TESSERA_CLICKHOUSE_DATABASE}_${name}`;
  const topics = topicNames(prefix);
  // A loaded broker can answer a fresh topic's metadata late: try again rather than lose the run.
  for (let attempt = 1; ; attempt++) {
    try { await createMissingTopics(e.kafka, topics, { partitions: e.partitions, replicationFactor: 1 }); break; } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(2_000);
    }
  }
  await migrate(e.ch, database);
  const env = { ...e.base, TESSERA_TOPIC_PREFIX: prefix, TESSERA_CLICKHOUSE_DATABASE: database };
  const flags = o.nodeFlags ?? (() => []);
  const start = async (service: string, entry: string, extra: Record<string, string> = {}) =>
    startService(`${name}-${service}`, entry, { ...env, ...extra }, e.logDir, await freePort(), flags(service));
  const link = await start('link', 'services/link/main.ts');
  const writer = await start('writer', 'services/warehouse-writer/main.ts', { TESSERA_WRITER_EVENTS: 'touchpoints', ...o.writerEnv });
  const extracts: ServiceProcess[] = [];
  for (let i = 0; i < o.extracts; i++) extracts.push(await start(`extract-${i}`, 'services/extract/main.ts', { TESSERA_KAFKA_CLIENT_ID: `bench-extract-${i}` }));
  const p: ClaimsPipeline = {
    name, prefix, topics, database, extracts, link, writer,
    groups: { extract: `${prefix}extract`, link: `${prefix}link`, writer: `${prefix}warehouse-writer` },
    services: () => [...p.extracts, p.link, p.writer],
  };
  for (const s of p.services()) await waitReady(s);
  return p;
}

/** Restarts the writer with other settings (e.g. a short flush interval for the latency phase). */
export async function restartWriter(e: PipelineEnv, p: ClaimsPipeline, writerEnv: Record<string, string>): Promise<void> {
  await stopService(p.writer);
  const env = { ...e.base, TESSERA_TOPIC_PREFIX: p.prefix, TESSERA_CLICKHOUSE_DATABASE: p.database, TESSERA_WRITER_EVENTS: 'touchpoints', ...writerEnv };
  p.writer = startService(`${p.name}-writer-2`, 'services/warehouse-writer/main.ts', env, e.logDir, await freePort());
  await waitReady(p.writer);
}

export async function stopClaimsPipeline(p: ClaimsPipeline): Promise<void> {
  // Producers first, so that what is downstream can finish what it was given.
  for (const s of p.services()) await stopService(s, 10_000);
}

export async function offsetsOf(kafka: Kafka, topic: string, group?: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!group) return new Map((await admin.fetchTopicOffsets(topic)).map((x) => [x.partition, BigInt(x.high)]));
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((t?.partitions ?? []).map((x) => [x.partition, BigInt(x.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Whether `group` has consumed `topic` to its end. `transactional`: the topic is written in Kafka transactions, so
 * each partition ends with a commit marker that no consumer is handed; the last record is before it.
 */
async function consumedToEnd(kafka: Kafka, group: string, topic: string, transactional: boolean): Promise<boolean> {
  const [ends, done] = await Promise.all([offsetsOf(kafka, topic), offsetsOf(kafka, topic, group)]);
  return [...ends].every(([part, end]) => end === 0n || (done.get(part) ?? -1n) >= (transactional ? end - 1n : end));
}

export async function eventRows(ch: ClickHouseClient, database: string): Promise<number> {
  const [row] = await select<{ n: string }>(ch, `SELECT count() AS n FROM ${ident(database)}.events`);
  return Number(row?.n ?? 0);
}

export interface ClaimsSample { t: number; produced: number; extracted: number; claimsLinked: number; queryable: number }

async function sampleOnce(e: PipelineEnv, p: ClaimsPipeline, t: number, produced: number): Promise<ClaimsSample> {
  const [extracted, claimsLinked, queryable] = await Promise.all([
    extractIn(p).then(sum),
    metric(p.link.port, 'tessera_link_claims_in_total'),
    eventRows(e.ch, p.database),
  ]);
  return { t, produced, extracted, claimsLinked, queryable };
}

/** A sample, retried: a starved event loop (the producer runs in this process) can lose a socket. */
export async function sampleClaims(e: PipelineEnv, p: ClaimsPipeline, t: number, produced: number): Promise<ClaimsSample> {
  for (let attempt = 1; ; attempt++) {
    try { return await sampleOnce(e, p, t, produced); } catch (err) {
      if (attempt >= 5) throw err;
      await sleep(200 * attempt);
    }
  }
}

/** Every stage has consumed what it was given and the writer has written it: events rows and the identity tables. */
export async function claimsDrained(e: PipelineEnv, p: ClaimsPipeline, valid: number): Promise<boolean> {
  if (!(await consumedToEnd(e.kafka, p.groups.extract, p.topics.touchpoints, false))) return false;
  if (!(await consumedToEnd(e.kafka, p.groups.link, p.topics.claims, false))) return false;
  for (const t of [p.topics.identityClaims, p.topics.identifiers, p.topics.profiles, p.topics.merges]) {
    if (!(await consumedToEnd(e.kafka, p.groups.writer, t, true))) return false;
  }
  return (await eventRows(e.ch, p.database)) >= valid;
}

export interface StageCpu { [service: string]: number }

export interface ClaimsThroughput {
  produced: number; valid: number; produceSeconds: number;
  /** Until count(events) = the valid touchpoints. */
  queryableSeconds: number;
  /** Until every stage has drained and the writer has written the identity tables too (events attributed). */
  drainedSeconds: number; eventsPerSecond: number;
  cpuSeconds: StageCpu; peakRssBytes: Record<string, number | null>;
  claimsPublished: number; claimsLinked: number; claimsChanged: number;
  /** Each extract instance: touchpoints it consumed and its CPU per touchpoint it consumed. */
  extractInstances: { name: string; events: number; cpuSeconds: number; cpuUsPerEvent: number; idleCpuPerSecond: number; cpuUsPerEventBeyondIdle: number }[];
  /** CPU seconds per second of each service while nothing was produced, measured just before. */
  idleCpuPerSecond: StageCpu;
  timeline: ClaimsSample[];
}


const cpuOf = (p: ClaimsPipeline): StageCpu => Object.fromEntries(p.services().map((s) => [s.name.slice(p.name.length + 1), cpuSeconds(s.child.pid) ?? 0]));

/**
 * Produces the touchpoints as fast as possible and waits until the pipeline has drained: the clock runs from the
 * first produce until every stage has consumed what it was given and ClickHouse holds every valid event and the
 * identity records that attribute them. CPU per service from /proc over the same span.
 */
export async function claimsThroughput(e: PipelineEnv, p: ClaimsPipeline, touchpoints: readonly Touchpoint[], timeoutMs: number, idleMs = 5_000): Promise<ClaimsThroughput> {
  const valid = touchpoints.filter((t) => validateTouchpoint(t).ok).length;
  // What each service spends doing nothing (kafkajs fetch polls, heartbeats, timers): part of every figure below,
  // and the part that does not shrink when instances are added.
  const idle0 = cpuOf(p);
  await sleep(idleMs);
  const idle1 = cpuOf(p);
  const idleCpuPerSecond = Object.fromEntries(Object.entries(idle1).map(([k, v]) => [k, (v - (idle0[k] ?? 0)) / (idleMs / 1000)]));
  const in0 = await extractIn(p);
  const cpu0 = cpuOf(p);
  const before = await sampleClaims(e, p, 0, 0);
  const published0 = await Promise.all(p.extracts.map((x) => metric(x.port, 'tessera_extract_claims_published_total'))).then(sum);
  const changed0 = await metric(p.link.port, 'tessera_link_claims_changed_total');
  const started = Date.now();
  const since = () => (Date.now() - started) / 1000;
  let produced = 0;
  let done = false;
  const timeline: ClaimsSample[] = [];
  const rel = (s: ClaimsSample): ClaimsSample => ({ ...s, extracted: s.extracted - before.extracted, claimsLinked: s.claimsLinked - before.claimsLinked, queryable: s.queryable - before.queryable });
  let queryableSeconds = Number.NaN;
  const sampler = (async () => {
    while (!done) {
      const s = rel(await sampleClaims(e, p, since(), produced));
      timeline.push(s);
      if (Number.isNaN(queryableSeconds) && s.queryable >= valid) queryableSeconds = s.t;
      process.stdout.write(`\r  ${progressLine('queryable', s.queryable, valid, Date.now() - started)} | produced ${produced.toLocaleString('en-US')}, claims linked ${s.claimsLinked.toLocaleString('en-US')}   `);
      await sleep(250);
    }
  })();
  const result = await produceTouchpoints({ kafka: e.kafka, codec: e.codec, topic: p.topics.touchpoints, touchpoints, total: touchpoints.length, onProgress: (sent) => { produced = sent; } });
  while (!(await claimsDrained(e, p, valid + before.queryable))) {
    if (Date.now() - started > timeoutMs) throw new Error(`${p.name}: not drained after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
  const drainedSeconds = since();
  const cpu1 = cpuOf(p);
  const peakRssBytes = Object.fromEntries(p.services().map((s) => [s.name.slice(p.name.length + 1), peakRss(s.child.pid)]));
  done = true;
  await sampler;
  process.stdout.write('\n');
  const end = rel(await sampleClaims(e, p, drainedSeconds, produced));
  timeline.push(end);
  if (Number.isNaN(queryableSeconds)) queryableSeconds = drainedSeconds;
  const published = await Promise.all(p.extracts.map((x) => metric(x.port, 'tessera_extract_claims_published_total'))).then(sum);
  const in1 = await extractIn(p);
  const cpuSecs = Object.fromEntries(Object.entries(cpu1).map(([k, v]) => [k, v - (cpu0[k] ?? 0)]));
  const extractInstances = p.extracts.map((x, i) => {
    const name = x.name.slice(p.name.length + 1);
    const events = in1[i]! - in0[i]!;
    const busy = cpuSecs[name]! - idleCpuPerSecond[name]! * drainedSeconds;
    return { name, events, cpuSeconds: cpuSecs[name]!, cpuUsPerEvent: events > 0 ? (cpuSecs[name]! * 1e6) / events : Number.NaN, idleCpuPerSecond: idleCpuPerSecond[name]!,
      cpuUsPerEventBeyondIdle: events > 0 ? (busy * 1e6) / events : Number.NaN };
  });
  return {
    produced: touchpoints.length, valid, produceSeconds: result.ms / 1000, queryableSeconds, drainedSeconds, eventsPerSecond: touchpoints.length / drainedSeconds,
    cpuSeconds: cpuSecs, peakRssBytes, extractInstances, idleCpuPerSecond,
    claimsPublished: published - published0, claimsLinked: end.claimsLinked, claimsChanged: (await metric(p.link.port, 'tessera_link_claims_changed_total')) - changed0,
    timeline,
  };
}

/** events_current as message id → current profile id (null: no profile). */
export async function currentProfiles(ch: ClickHouseClient, database: string): Promise<Map<string, string | null>> {
  const rows = await select<{ message_id: string; current_profile_id: string }>(ch, `SELECT message_id, current_profile_id FROM ${ident(database)}.events_current`);
  return new Map(rows.map((r) => [r.message_id, r.current_profile_id || null]));
}
