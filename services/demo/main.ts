// `make demo`: starts the local stack and the pipeline (extract → link → warehouse writer), feeds a synthetic
// population through it, waits until everything is written, checks it against the pure core, and prints what a new
// user wants to see.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { commonEnv, parseEnv } from '../kit/config.ts';
import { createClickHouse } from '../kit/clickhouse.ts';
import { createKafka, ensureTopics, topicSpecs } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { migrate } from '../kit/migrate.ts';
import { keyFingerprint, setupAnalystFeed } from '../privacy/analyst-feed.ts';
import { loadPiiKey, piiKeyEnv } from '../privacy/pii-config.ts';
import { serversDown } from '../kit/probe.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { defaultPopulation, generate } from '../loadgen/population.ts';
import { malformedRecords, produceTouchpoints } from '../loadgen/produce.ts';
import { progressLine } from '../loadgen/progress.ts';
import { freePort, metric, startService, stopService, waitReady, type ServiceProcess } from './processes.ts';
import { printActivation } from './activation.ts';
import { explorerLines, startDemoApi } from './profile-api.ts';
import { agrees, compareWithPureCore, pureCore, type Comparison } from './check.ts';
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
const groups = ['extract', 'link', 'warehouse-writer'].map((g) => `${cfg.TESSERA_TOPIC_PREFIX}${g}`);
await admin.deleteGroups(groups).catch(() => undefined);
await ch.command({ query: `DROP DATABASE IF EXISTS ${cfg.TESSERA_CLICKHOUSE_DATABASE}` });
await ch.command({ query: `DROP DATABASE IF EXISTS ${cfg.TESSERA_CLICKHOUSE_DATABASE}_analyst` });
const report = await migrate(ch, cfg.TESSERA_CLICKHOUSE_DATABASE);
console.log(`migrations applied: ${report.applied.join(', ')}`);
// The analysts' database (docs/privacy.md) is fed with keyed hashes under the key the local stack generated.
const piiKey = loadPiiKey(parseEnv(piiKeyEnv));
if (piiKey.ok) {
  await setupAnalystFeed(ch, cfg.TESSERA_CLICKHOUSE_DATABASE, piiKey.key);
  console.log(`analysts' database ${cfg.TESSERA_CLICKHOUSE_DATABASE}_analyst fed with keyed hashes (key ${keyFingerprint(piiKey.key)})`);
} else console.log(`analysts' database not fed: ${piiKey.problem}`);
const created = await ensureTopics(admin, topicSpecs(topics, { partitions: 6, replicationFactor: 1 }));
console.log(`topics created: ${created.join(', ')}`);

step('Starting the services');
const services: ServiceProcess[] = [];
const stopAll = async () => { for (const s of services.reverse()) await stopService(s); };
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { void stopAll().then(() => process.exit(130)); });
try {
  const env = { TESSERA_TOPIC_PREFIX: cfg.TESSERA_TOPIC_PREFIX, TESSERA_CLICKHOUSE_DATABASE: cfg.TESSERA_CLICKHOUSE_DATABASE };
  // Free ports: a service left over from another run must not answer for ours. Two extract instances share the
  // touchpoint partitions; the link stage owns the graph; the writer reads the touchpoints itself.
  const start = async (name: string, entry: string) => {
    const p = startService(name, entry, env, logDir, await freePort());
    services.push(p);
    return p;
  };
  const extract = [await start('extract-0', 'services/extract/main.ts'), await start('extract-1', 'services/extract/main.ts')];
  const link = await start('link', 'services/link/main.ts');
  const writer = await start('warehouse-writer', 'services/warehouse-writer/main.ts');
  for (const s of services) await waitReady(s);
  for (const s of services) console.log(`${s.name.padEnd(17)} pid ${s.child.pid}  http://127.0.0.1:${s.port}/metrics  log ${s.logFile}`);
  // The profile API follows the identity tables while the stages fill them: the explorer can be opened right away.
  const api = await startDemoApi(env, logDir);
  services.push(api.service);
  console.log(`${api.service.name.padEnd(17)} pid ${api.service.child.pid}  explorer ${api.explorerUrl}  log ${api.service.logFile}`);

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
  const expected = pureCore(g.touchpoints);
  const feedStart = Date.now() - produced.ms;
  const sum = async (name: string) => (await Promise.all(extract.map((p) => metric(p.port, name)))).reduce((a, b) => a + b, 0);
  let lastLine = '';
  let comparison: Comparison | null = null;
  let caughtUpAt: number | null = null;
  // Drained: every touchpoint through extract, every claim it published through link, every valid event written;
  // then ClickHouse must say what resolve() says (the writer reads the link stage's records on their own flushes).
  for (let stable = 0; stable < 3;) {
    const consumed = await sum('tessera_extract_records_in_total');
    const claims = await sum('tessera_extract_claims_published_total');
    const linked = await metric(link.port, 'tessera_link_claims_in_total');
    const [row] = await (await ch.query({ query: `SELECT uniqExact(message_id) AS n FROM ${cfg.TESSERA_CLICKHOUSE_DATABASE}.events`, format: 'JSONEachRow' })).json<{ n: string }>();
    const written = Number(row?.n ?? 0);
    const caughtUp = consumed >= total && linked >= claims && written >= expected.events.size;
    if (caughtUp) {
      caughtUpAt ??= Date.now();
      comparison = await compareWithPureCore(ch, cfg.TESSERA_CLICKHOUSE_DATABASE, expected);
    } else caughtUpAt = null;
    const line = `${progressLine('extracted', consumed, total, Date.now() - feedStart)} | claims linked ${linked.toLocaleString('en-US')}/${claims.toLocaleString('en-US')} | events in ClickHouse ${written.toLocaleString('en-US')}`;
    process.stdout.write(`\r${line}${' '.repeat(Math.max(0, lastLine.length - line.length))}`);
    lastLine = line;
    // A result that still differs a minute after the stages caught up is reported below, not waited for.
    stable = caughtUp && comparison && (agrees(comparison) || Date.now() - caughtUpAt! > 60_000) ? stable + 1 : 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const drainedMs = Date.now() - feedStart - 3000;
  process.stdout.write('\n');
  console.log(`drained: ${total.toLocaleString('en-US')} touchpoints produced → extract → link → queryable in ${(drainedMs / 1000).toFixed(1)} s (${Math.round(total / (drainedMs / 1000)).toLocaleString('en-US')} events/s end to end on this machine)`);
  const c = comparison!;
  console.log(`ClickHouse against the pure core's resolve() over the same touchpoints: ${c.events.toLocaleString('en-US')} events (${c.eventsDiffering} not written exactly once), `
    + `${c.identifiers.toLocaleString('en-US')} linked identifiers (${c.identifiersDiffering} in another profile, ${c.identifiersExtra} extra), `
    + `${c.profiles.toLocaleString('en-US')} profiles (${c.profilesDiffering} differ)${agrees(c) ? ': identical' : ': DIFFERENT'}`);
  if (!agrees(c)) process.exitCode = 1;

  await printSummary({
    ch, database: cfg.TESSERA_CLICKHOUSE_DATABASE, truth: g.truth, ports: { extract: extract.map((p) => p.port), link: link.port, writer: writer.port },
    topics, kafkaBrokers: cfg.TESSERA_KAFKA_BROKERS, clickhouseUrl: cfg.TESSERA_CLICKHOUSE_URL,
  });
  await printActivation({ ch, database: cfg.TESSERA_CLICKHOUSE_DATABASE, kafka, codec, prefix: cfg.TESSERA_TOPIC_PREFIX, partitions: 6, log });
  await demoErasure({ kafka, codec, ch, prefix: cfg.TESSERA_TOPIC_PREFIX, database: cfg.TESSERA_CLICKHOUSE_DATABASE, logDir, touchpoints: g.touchpoints });

  step('Profile API and explorer (docs/profile-api.md)');
  for (const line of explorerLines(api, a.keep)) console.log(line);
} finally {
  if (!a.keep) {
    step('Stopping the services (the local stack keeps running: `make stack-stop` stops it)');
    await stopAll();
  }
  await admin.disconnect();
  await ch.close();
}
console.log(`\ndemo finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
