// What the warehouse writer costs per event on the claims topology: the extract and link stages publish first, then
// the real writer process reads the touchpoints and the link stage's records; its CPU seconds per event while it
// drains them, measured from /proc. (Measured against the resolved stream of the resolver before: docs/warehouse-writer.md.)
//   npx tsx bench/writer-cost.ts [--people 2000]
import { parseArgs } from 'node:util';
import { validateTouchpoint } from '../services/contract/validate.ts';
import { freePort, metric, startService, stopService, waitReady } from '../services/demo/processes.ts';
import { createClickHouse, select } from '../services/kit/clickhouse.ts';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { createKafka, ensureTopics, topicSpecs } from '../services/kit/kafka.ts';
import { createLogger } from '../services/kit/log.ts';
import { AvroCodec } from '../services/kit/registry.ts';
import { topicNames } from '../services/kit/topics.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';
import { produceTouchpoints } from '../services/loadgen/produce.ts';
import { cpuSeconds } from './services.ts';

const { values: a } = parseArgs({ options: { people: { type: 'string', default: '2000' } } });
const cfg = parseEnv(commonEnv);
const id = Date.now().toString(36);
const prefix = `bench.wc.${id}.`;
const topics = topicNames(prefix);
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, `bench-wc-${id}`, createLogger('bench', 'warn'));
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD });
const logDir = `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/stack/logs/bench-wc-${id}`;
const env = {
  TESSERA_TOPIC_PREFIX: prefix, TESSERA_PARTITIONS: '6', TESSERA_LOG_LEVEL: 'warn',
  TESSERA_KAFKA_BROKERS: cfg.TESSERA_KAFKA_BROKERS.join(','), TESSERA_REGISTRY_URL: cfg.TESSERA_REGISTRY_URL, TESSERA_CLICKHOUSE_URL: cfg.TESSERA_CLICKHOUSE_URL,
};
const until = async (what: string, done: () => Promise<boolean>) => {
  for (const deadline = Date.now() + 600_000; !(await done());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

const admin = kafka.admin();
await admin.connect();
await ensureTopics(admin, topicSpecs(topics, { partitions: 6, replicationFactor: 1 }));
const { touchpoints } = generate({ ...defaultPopulation, people: Number(a.people) });
const valid = touchpoints.filter((t) => validateTouchpoint(t).ok).length;
await produceTouchpoints({ kafka, codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL), topic: topics.touchpoints, touchpoints, total: touchpoints.length });
console.log(`${touchpoints.length.toLocaleString('en-US')} touchpoints produced (${valid.toLocaleString('en-US')} valid); the extract and link stages publish claims and identities`);

// The claims, then the profiles, merges, identifier and claim tables, as the stages publish them; then they stop.
const extract = startService('extract', 'services/extract/main.ts', env, logDir, await freePort());
const link = startService('link', 'services/link/main.ts', env, logDir, await freePort());
await waitReady(extract);
await waitReady(link);
await until('the extract stage', async () => (await metric(extract.port, 'tessera_extract_records_in_total').catch(() => 0)) >= touchpoints.length);
const claims = await metric(extract.port, 'tessera_extract_claims_published_total');
await until('the link stage', async () => (await metric(link.port, 'tessera_link_claims_in_total').catch(() => 0)) >= claims);
await stopService(extract);
await stopService(link);

const results: Record<string, { cpuSeconds: number; seconds: number; cpuMicrosPerEvent: number }> = {};
for (const events of ['touchpoints'] as const) {
  const database = `bench_wc_${id}_${events}`;
  const writer = startService(`writer-${events}`, 'services/warehouse-writer/main.ts', {
    ...env, TESSERA_CLICKHOUSE_DATABASE: database, TESSERA_WRITER_GROUP: `${prefix}writer-${events}`,
  }, logDir, await freePort());
  // Ready = migrated, joined and watermarks loaded: the clock starts when the writer can only be writing.
  await waitReady(writer);
  const cpu0 = cpuSeconds(writer.child.pid) ?? 0;
  const t0 = performance.now();
  await until(`the ${events} writer`, async () => Number((await select<{ n: string }>(ch, `SELECT count() AS n FROM ${database}.events`))[0]?.n ?? 0) >= valid);
  const cpu = (cpuSeconds(writer.child.pid) ?? 0) - cpu0;
  const seconds = (performance.now() - t0) / 1000;
  await stopService(writer);
  results[events] = { cpuSeconds: cpu, seconds, cpuMicrosPerEvent: (cpu / valid) * 1e6 };
  console.log(`writer from ${events.padEnd(11)} ${cpu.toFixed(2)} CPU-s for ${valid.toLocaleString('en-US')} events: ${results[events].cpuMicrosPerEvent.toFixed(1)} µs/event (${seconds.toFixed(1)} s wall)`);
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
}
console.log(JSON.stringify({ command: `npx tsx bench/writer-cost.ts --people ${a.people}`, touchpoints: touchpoints.length, valid, writer: results }));
await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(prefix)) }).catch(() => undefined);
await admin.disconnect();
await ch.close();
