// `make demo`: starts the local stack and the pipeline, feeds a synthetic population through it, waits until
// everything is written, and prints what a new user wants to see.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { commonEnv, parseEnv } from '../kit/config.ts';
import { createClickHouse } from '../kit/clickhouse.ts';
import { createKafka, ensureTopics, topicSpecs } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { migrate } from '../kit/migrate.ts';
import { serversDown } from '../kit/probe.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { defaultPopulation, generate } from '../loadgen/population.ts';
import { malformedRecords, produceTouchpoints } from '../loadgen/produce.ts';
import { progressLine } from '../loadgen/progress.ts';
import { freePort, metric, startService, stopService, waitReady, type ServiceProcess } from './processes.ts';
import { printActivation } from './activation.ts';
import { printSummary } from './summary.ts';
import { demoErasure } from './privacy.ts';

const { values: a } = parseArgs({ options: { people: { type: 'string', default: '5000' }, seed: { type: 'string', default: '42' }, keep: { type: 'boolean', default: false } } });
// The demo works in its own topic prefix and database, which it resets at the start of every run.
process.env.TESSERA_TOPIC_PREFIX ||= 'demo.';
process.env.TESSERA_CLICKHOUSE_DATABASE ||= 'tessera_demo';
const cfg = parseEnv(commonEnv);
const log = createLogger('demo', 'warn');
const topics = topicNames(cfg.TESSERA_TOPIC_PREFIX);
const logDir = `${process.env.TESSERA_LOG_DIR ?? `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/stack/logs`}/demo`;
const step = (s: string) => console.log(`\n== ${s}`);
const started = Date.now();

step('Local stack');
const down = await serversDown({ kafkaBrokers: cfg.TESSERA_KAFKA_BROKERS, registryUrl: cfg.TESSERA_REGISTRY_URL, clickhouseUrl: cfg.TESSERA_CLICKHOUSE_URL });
if (down.length) {
  console.log(`starting: ${down.join(', ')}`);
  execFileSync('bash', ['infra/local/start.sh', ...down], { stdio: 'inherit' });
} else console.log('Kafka, schema registry and ClickHouse answer');

const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, 'tessera-demo', log);
const codec = new AvroCodec(cfg.TESSERA_REGISTRY_URL);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD });

step(`Resetting the demo's topics (${cfg.TESSERA_TOPIC_PREFIX}*) and database (${cfg.TESSERA_CLICKHOUSE_DATABASE})`);
const admin = kafka.admin();
await admin.connect();
const old = (await admin.listTopics()).filter((t) => t.startsWith(cfg.TESSERA_TOPIC_PREFIX));
if (old.length) await admin.deleteTopics({ topics: old });
const groups = [`${cfg.TESSERA_TOPIC_PREFIX}resolver`, `${cfg.TESSERA_TOPIC_PREFIX}warehouse-writer`];
await admin.deleteGroups(groups).catch(() => undefined);
await ch.command({ query: `DROP DATABASE IF EXISTS ${cfg.TESSERA_CLICKHOUSE_DATABASE}` });
const report = await migrate(ch, cfg.TESSERA_CLICKHOUSE_DATABASE);
console.log(`migrations applied: ${report.applied.join(', ')}`);
const created = await ensureTopics(admin, topicSpecs(topics, { partitions: 6, replicationFactor: 1 }));
console.log(`topics created: ${created.join(', ')}`);

step('Starting the services');
const services: ServiceProcess[] = [];
const stopAll = async () => { for (const s of services.reverse()) await stopService(s); };
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { void stopAll().then(() => process.exit(130)); });
try {
  const env = { TESSERA_TOPIC_PREFIX: cfg.TESSERA_TOPIC_PREFIX, TESSERA_CLICKHOUSE_DATABASE: cfg.TESSERA_CLICKHOUSE_DATABASE };
  // Free ports: a service left over from another run must not answer for ours.
  const resolver = startService('resolver', 'services/resolver/main.ts', env, logDir, await freePort());
  services.push(resolver);
  await waitReady(resolver);
  const writer = startService('warehouse-writer', 'services/warehouse-writer/main.ts', env, logDir, await freePort());
  services.push(writer);
  await waitReady(writer);
  for (const s of services) console.log(`${s.name.padEnd(17)} pid ${s.child.pid}  http://127.0.0.1:${s.port}/metrics  log ${s.logFile}`);

  step('Feeding a synthetic population');
  // Planted tastes and regional patterns give the recommendations and themes at the end something to find.
  const population = { ...defaultPopulation, people: Number(a.people), seed: Number(a.seed), tasteGroups: 8, catalogue: 300, regionalPatterns: true };
  const g = generate(population);
  const bySource = new Map<string, number>();
  for (const t of g.touchpoints) bySource.set(t.source, (bySource.get(t.source) ?? 0) + 1);
  console.log(`${population.people.toLocaleString('en-US')} people, ${g.touchpoints.length.toLocaleString('en-US')} touchpoints (${[...bySource].map(([k, v]) => `${k} ${v}`).join(', ')}) + ${malformedRecords().length} malformed records`);
  const produced = await produceTouchpoints({
    kafka, codec, topic: topics.touchpoints, touchpoints: g.touchpoints, total: g.touchpoints.length, malformed: malformedRecords(),
    onProgress: (sent, total, ms) => process.stdout.write(`\r${progressLine('producing', sent, total, ms)}   `),
  });
  process.stdout.write('\n');

  step('Waiting for the pipeline to drain');
  const total = g.touchpoints.length + malformedRecords().length;
  const feedStart = Date.now() - produced.ms;
  let lastLine = '';
  for (let stable = 0; stable < 3;) {
    const consumed = await metric(resolver.port, 'tessera_resolver_events_in_total');
    const resolved = await metric(resolver.port, 'tessera_resolver_records_out_total', { topic: topics.resolved });
    const [row] = await (await ch.query({ query: `SELECT count() AS n FROM ${cfg.TESSERA_CLICKHOUSE_DATABASE}.events`, format: 'JSONEachRow' })).json<{ n: string }>();
    const written = Number(row?.n ?? 0);
    const line = `${progressLine('resolved', consumed, total, Date.now() - feedStart)} | written to ClickHouse ${written.toLocaleString('en-US')}`;
    process.stdout.write(`\r${line}${' '.repeat(Math.max(0, lastLine.length - line.length))}`);
    lastLine = line;
    stable = consumed >= total && written >= resolved ? stable + 1 : 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const drainedMs = Date.now() - feedStart - 3000;
  process.stdout.write('\n');
  console.log(`drained: ${total.toLocaleString('en-US')} touchpoints produced → resolved → queryable in ${(drainedMs / 1000).toFixed(1)} s (${Math.round(total / (drainedMs / 1000)).toLocaleString('en-US')} events/s end to end on this machine)`);

  await printSummary({ ch, database: cfg.TESSERA_CLICKHOUSE_DATABASE, truth: g.truth, resolverPort: resolver.port, topics, kafkaBrokers: cfg.TESSERA_KAFKA_BROKERS, clickhouseUrl: cfg.TESSERA_CLICKHOUSE_URL });
  await printActivation({ ch, database: cfg.TESSERA_CLICKHOUSE_DATABASE, kafka, codec, prefix: cfg.TESSERA_TOPIC_PREFIX, partitions: 6, log });
  await demoErasure({ kafka, codec, ch, prefix: cfg.TESSERA_TOPIC_PREFIX, database: cfg.TESSERA_CLICKHOUSE_DATABASE, logDir, touchpoints: g.touchpoints });
} finally {
  if (!a.keep) {
    step('Stopping the services (the local stack keeps running: `make stack-stop` stops it)');
    await stopAll();
  }
  await admin.disconnect();
  await ch.close();
}
console.log(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
