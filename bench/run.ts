// `make bench`: the identity core alone, the pipeline end to end (throughput, latency, memory, CPU profile),
// identity quality per scenario and side by side with the peers' merge policies (bench/peers), and reference figures
// (Kafka's ConsumerPerformance, ClickHouse's Kafka engine),
// all in one run on this machine. Prints a table and writes bench/results/<date>-<sha>.json (+ a chart).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs, promisify } from 'node:util';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { createClient } from '@clickhouse/client';
import { select } from '../services/kit/clickhouse.ts';
import { createKafka, ensureTopics, topicSpecs } from '../services/kit/kafka.ts';
import { createLogger } from '../services/kit/log.ts';
import { migrate } from '../services/kit/migrate.ts';
import { serversDown } from '../services/kit/probe.ts';
import { AvroCodec } from '../services/kit/registry.ts';
import { ident } from '../services/kit/sql.ts';
import { topicNames } from '../services/kit/topics.ts';
import { startService, stopService, waitReady, type ServiceProcess } from '../services/demo/processes.ts';
import { table } from '../services/demo/table.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';
import { defaultIdentityConfig } from '../services/identity/index.ts';
import { machineInfo } from './machine.ts';
import { summarise } from './percentile.ts';
import { latency, throughput, type Pipeline } from './pipeline.ts';
import { svgChart, writeChart } from './plot.ts';
import { formatSummary, summariseProfile, type CpuProfile, type ProfileSummary } from './profile-summary.ts';
import { qualityOf, resolveWithCore, scenarios, type ScenarioQuality } from './quality.ts';
import { compareResolvers, detailTable, f1Table, resolvers as peerResolvers, type ScenarioComparison } from './peers/compare.ts';
import { consumerPerformance, kafkaEngineIngest, type KafkaEngineResult } from './references.ts';
import { cpuSeconds, peakRss } from './services.ts';

const { values: a } = parseArgs({
  options: {
    'core-identifiers': { type: 'string', default: '1e6' },
    'e2e-events': { type: 'string', default: '300000' },
    'latency-rate': { type: 'string', default: '5000' },
    'latency-seconds': { type: 'string', default: '30' },
    'flush-ms': { type: 'string', default: '150' },
    'quality-people': { type: 'string', default: '4000' },
    seed: { type: 'string', default: '42' },
    'shuffle-seed': { type: 'string', default: '7' },
    'skip-peers': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log(`usage: npx tsx bench/run.ts [--core-identifiers 1e6] [--e2e-events 300000] [--latency-rate 5000] [--latency-seconds 30]
       [--flush-ms 150] [--quality-people 4000] [--seed 42] [--shuffle-seed 7] [--skip-peers] [--out bench/results] [--keep (topics and database)]`);
  process.exit(0);
}
const num = (k: keyof typeof a) => { const n = Number(a[k]); if (!Number.isFinite(n) || n <= 0) { console.error(`--${k} must be a positive number`); process.exit(2); } return n; };
const opts = {
  coreIdentifiers: num('core-identifiers'), e2eEvents: Math.round(num('e2e-events')), latencyRate: num('latency-rate'),
  latencySeconds: num('latency-seconds'), flushMs: Math.round(num('flush-ms')), qualityPeople: Math.round(num('quality-people')), seed: Math.round(num('seed')),
  shuffleSeed: Math.round(num('shuffle-seed')),
};
const run = promisify(execFile);
const cfg = parseEnv(commonEnv);
const log = createLogger('bench', 'warn');
const runId = Date.now().toString(36);
const prefix = `bench.${runId}.`;
const database = `bench_${runId}`;
const topics = topicNames(prefix);
const rawTopic = `${prefix}touchpoints.json`;
const home = process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`;
const logDir = `${process.env.TESSERA_LOG_DIR ?? `${home}/stack/logs`}/bench-${runId}`;
const profDir = `${tmpdir()}/tessera-bench-${runId}`;
const step = (s: string) => console.log(`\n== ${s}`);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const mb = (b: number | null) => (b === null ? 'n/a' : `${(b / 2 ** 20).toFixed(0)} MB`);
const began = Date.now();

step('Local stack');
const down = await serversDown({ kafkaBrokers: cfg.TESSERA_KAFKA_BROKERS, registryUrl: cfg.TESSERA_REGISTRY_URL, clickhouseUrl: cfg.TESSERA_CLICKHOUSE_URL });
if (down.length) execFileSync('bash', ['infra/local/start.sh', ...down], { stdio: 'inherit' });
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, `tessera-bench-${runId}`, log);
const codec = new AvroCodec(cfg.TESSERA_REGISTRY_URL);
// No keep-alive: while this process produces at full speed its event loop lags, and a reused socket the server has
// already closed fails the query.
const ch = createClient({ url: cfg.TESSERA_CLICKHOUSE_URL, username: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD, request_timeout: 120_000, keep_alive: { enabled: false } });
const machine = await machineInfo(ch);
console.log(`${machine.cpus} × ${machine.cpuModel}, ${mb(machine.memoryBytes)}, node ${machine.node}, Kafka ${machine.kafka}, ClickHouse ${machine.clickhouse}, git ${machine.gitSha.slice(0, 8)}${machine.gitDirty ? ' (dirty)' : ''}`);
console.log(`run ${runId}: topics ${prefix}*, database ${database}, service logs ${logDir}`);

// 1. The core alone, before anything else loads the machine.
step(`1. Identity core alone (bench/core.ts, ${int(opts.coreIdentifiers)} identifiers, one core)`);
const coreOut = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/core.ts', `--identifiers=${opts.coreIdentifiers}`, '--extract=200000'], { maxBuffer: 8 << 20 });
const coreRow = JSON.parse(coreOut.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<string, string | number>;
const extractLine = /touchpoints\/s[\s\S]*?│\s*0\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*'([\d.]+)'\s*│\s*(\d+)/.exec(coreOut.stdout);
const core = {
  identifiers: Number(coreRow.identifiers), events: Number(coreRow.events), eventsPerSecond: Number(coreRow['events/s']),
  heapBytesPerIdentifier: Number(coreRow['bytes/identifier']), heapMB: Number(coreRow['heap MB']),
  extractTouchpointsPerSecond: extractLine ? Number(extractLine[4]) : null,
};
console.log(`  ${int(core.eventsPerSecond)} events/s (graph apply), ${core.heapBytesPerIdentifier} heap bytes per identifier; identifier extraction ${core.extractTouchpointsPerSecond ? int(core.extractTouchpointsPerSecond) : 'n/a'} touchpoints/s`);

// 5a. Quality of the pure core per scenario, against the truth and the linkable truth.
step(`5. Identity quality per scenario (pure core, ${int(opts.qualityPeople)} people each)`);
const quality: Record<string, ScenarioQuality & { about: string; touchpoints: number; ambiguousEvents: number }> = {};
for (const s of scenarios) {
  const g = generate({ ...defaultPopulation, ...s.options, people: opts.qualityPeople, seed: opts.seed });
  const r = resolveWithCore(g.touchpoints, g.truth, defaultIdentityConfig);
  quality[s.name] = { about: s.about, touchpoints: g.touchpoints.length, ambiguousEvents: r.ambiguousEvents, ...qualityOf(r.profileOf, g.truth, r.linkable) };
  console.log(`  ${s.name.padEnd(15)} F1 ${pct(quality[s.name]!.vsTruth.f1)} vs truth, ${pct(quality[s.name]!.vsLinkable.f1)} vs linkable truth; ${int(r.ambiguousEvents)} events carry only identifiers shared between people`);
}

// 5c. The peers' merge policies on the same populations (bench/peers), in arrival order and in a seeded shuffle.
const peers: Record<string, ScenarioComparison> = {};
if (!a['skip-peers']) {
  step(`5c. Side by side with the peers' merge policies (bench/peers: ${peerResolvers.map((r) => r.name).join(', ')}), arrival order and shuffled (seed ${opts.shuffleSeed})`);
  for (const s of scenarios) {
    const c = compareResolvers(generate({ ...defaultPopulation, ...s.options, people: opts.qualityPeople, seed: opts.seed }), opts.shuffleSeed);
    peers[s.name] = c;
    console.log(`  ${s.name.padEnd(15)} F1 vs linkable ${Object.entries(c.resolvers).map(([n, q]) => `${n} ${pct(q.arrival.vsLinkable.f1)}/${pct(q.shuffled.vsLinkable.f1)}`).join(', ')}`);
  }
}

// The pipeline, in its own topics and database.
step('Starting the pipeline (resolver and warehouse writer, CPU-profiled)');
const admin = kafka.admin();
await admin.connect();
await ensureTopics(admin, topicSpecs(topics, { partitions: 6, replicationFactor: 1 }));
await migrate(ch, database);
mkdirSync(profDir, { recursive: true });
const env = {
  TESSERA_TOPIC_PREFIX: prefix, TESSERA_CLICKHOUSE_DATABASE: database, TESSERA_PARTITIONS: '6', TESSERA_LOG_LEVEL: 'warn',
  TESSERA_KAFKA_BROKERS: cfg.TESSERA_KAFKA_BROKERS.join(','), TESSERA_REGISTRY_URL: cfg.TESSERA_REGISTRY_URL, TESSERA_CLICKHOUSE_URL: cfg.TESSERA_CLICKHOUSE_URL,
};
// One folder per service: node writes a profile per thread (tsx's loader runs in a worker), the main thread is the busy one.
const prof = (name: string) => ['--cpu-prof', `--cpu-prof-dir=${profDir}/${name}`];
const services: ServiceProcess[] = [];
const cleanup = async () => {
  for (const s of [...services].reverse()) await stopService(s);
  if (!a.keep) {
    await ch.command({ query: `DROP TABLE IF EXISTS ${ident(database)}.raw_mv` }).catch(() => undefined);
    await ch.command({ query: `DROP TABLE IF EXISTS ${ident(database)}.raw_queue` }).catch(() => undefined);
    await ch.command({ query: `DROP DATABASE IF EXISTS ${ident(database)}` }).catch(() => undefined);
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.deleteGroups([`${prefix}resolver`, `${prefix}warehouse-writer`, `${prefix}consumer-perf`]).catch(() => undefined);
  }
};
process.on('SIGINT', () => { void cleanup().finally(() => process.exit(130)); });

const resolverPort = 9564, writerPort = 9565;
const resolver = startService('resolver', 'services/resolver/main.ts', env, logDir, resolverPort, prof('resolver'));
services.push(resolver);
await waitReady(resolver);
let writer = startService('warehouse-writer', 'services/warehouse-writer/main.ts', env, logDir, writerPort, prof('warehouse-writer'));
services.push(writer);
await waitReady(writer);
const p: Pipeline = { kafka, codec, ch, database, topics, resolverPort, writerPort };

try {
  // 2. Throughput until drained.
  const peoplePerEvent = 1 / 24.75; // the generator's default population yields ~24.75 touchpoints a person
  const gen = generate({ ...defaultPopulation, people: Math.ceil(opts.e2eEvents * peoplePerEvent * 1.02), seed: opts.seed });
  const e2eTouchpoints = gen.touchpoints.slice(0, opts.e2eEvents);
  step(`2. End to end: ${int(e2eTouchpoints.length)} touchpoints as fast as possible, until all are queryable in ClickHouse`);
  const cpu0 = { resolver: cpuSeconds(resolver.child.pid) ?? 0, writer: cpuSeconds(writer.child.pid) ?? 0 };
  const tp = await throughput(p, e2eTouchpoints, 300_000);
  const cpu = { resolver: (cpuSeconds(resolver.child.pid) ?? 0) - cpu0.resolver, writer: (cpuSeconds(writer.child.pid) ?? 0) - cpu0.writer };
  console.log(`  ${int(tp.eventsPerSecond)} events/s: produced in ${tp.produceSeconds.toFixed(1)} s, all ${int(tp.queryable)} resolved rows queryable after ${tp.drainedSeconds.toFixed(1)} s (${int(tp.dlq)} to the DLQ); CPU: resolver ${cpu.resolver.toFixed(1)} s, writer ${cpu.writer.toFixed(1)} s`);

  // 5b. Cross-check: the quality of what the pipeline wrote, read back from events_current.
  const truthSlice = new Map(e2eTouchpoints.map((t) => [t.messageId, gen.truth.get(t.messageId)!]));
  const coreE2e = resolveWithCore(e2eTouchpoints, truthSlice, defaultIdentityConfig);
  const rows = await select<{ message_id: string; current_profile_id: string }>(ch, `SELECT message_id, current_profile_id FROM ${ident(database)}.events_current`);
  const fromCh = new Map(rows.map((r) => [r.message_id, r.current_profile_id || null]));
  let disagreements = 0;
  for (const [m, prof] of coreE2e.profileOf) if (fromCh.get(m) !== prof) disagreements += 1;
  const e2eQuality = { clickhouse: qualityOf(fromCh, truthSlice, coreE2e.linkable), core: qualityOf(coreE2e.profileOf, truthSlice, coreE2e.linkable), disagreements, events: fromCh.size };
  console.log(`  quality read back from ClickHouse: F1 ${pct(e2eQuality.clickhouse.vsTruth.f1)} vs truth, ${pct(e2eQuality.clickhouse.vsLinkable.f1)} vs linkable; ${int(disagreements)} events where ClickHouse and the pure core disagree`);

  // 3. Latency at a fixed rate, with a short writer flush interval.
  step(`3. Latency: ${int(opts.latencyRate)} events/s for ${opts.latencySeconds} s, writer flushing every ${opts.flushMs} ms`);
  const writerPeak1 = peakRss(writer.child.pid);
  await stopService(writer);
  services.splice(services.indexOf(writer), 1);
  writer = startService('warehouse-writer-latency', 'services/warehouse-writer/main.ts', { ...env, TESSERA_WRITER_FLUSH_MS: String(opts.flushMs) }, logDir, writerPort, []);
  services.push(writer);
  await waitReady(writer);
  const latCount = Math.round(opts.latencyRate * opts.latencySeconds);
  const latGen = generate({ ...defaultPopulation, people: Math.ceil(latCount * peoplePerEvent * 1.02), seed: opts.seed + 1 });
  const lat = await latency(p, latGen.touchpoints.slice(0, latCount), { rate: opts.latencyRate, probeEvery: 20, pollMs: 50, timeoutMs: (opts.latencySeconds + 60) * 1000 });
  const seen = lat.probes.filter((x) => x.seenAt !== null).map((x) => x.seenAt! - x.ackAt);
  const latSummary = summarise(seen);
  console.log(`  ${int(lat.achievedRate)} events/s achieved; ${seen.length}/${lat.probes.length} probes seen: p50 ${latSummary.p50} ms, p95 ${latSummary.p95} ms, p99 ${latSummary.p99} ms, max ${latSummary.max} ms`);

  // 4. Peak memory of each service, at the end of the run.
  const memory = { resolver: peakRss(resolver.child.pid), writer: Math.max(writerPeak1 ?? 0, peakRss(writer.child.pid) ?? 0) };
  step('4. Peak RSS (VmHWM)');
  console.log(`  resolver ${mb(memory.resolver)}, warehouse writer ${mb(memory.writer)}`);
  for (const s of [...services].reverse()) await stopService(s);
  services.length = 0;

  // 6. References on the same machine, with the pipeline stopped.
  step(`6. References: Kafka ConsumerPerformance on ${topics.touchpoints}, ClickHouse Kafka engine on the same events as JSON`);
  const cperf = await consumerPerformance(cfg.TESSERA_KAFKA_BROKERS.join(','), topics.touchpoints, e2eTouchpoints.length, `${prefix}consumer-perf`);
  console.log(`  ConsumerPerformance: ${int(cperf.recordsPerSecond)} records/s overall, ${int(cperf.fetchRecordsPerSecond)} records/s fetching`);
  // A reference that fails (the 18.16 engine can stall) is reported as such; the rest of the report stands.
  const engine: KafkaEngineResult | { error: string; rowsPerSecond: number; timeline: { t: number; rows: number }[] } = await kafkaEngineIngest({
    kafka, ch, database, topic: rawTopic, brokers: cfg.TESSERA_KAFKA_BROKERS.join(','), group: `${prefix}ch-engine`, touchpoints: e2eTouchpoints,
  }).catch((err: unknown) => ({ error: (err as Error).message, rowsPerSecond: Number.NaN, timeline: [] }));
  if ('error' in engine) console.log(`  ClickHouse Kafka engine: failed: ${engine.error}`);
  else console.log(`  ClickHouse Kafka engine: ${int(engine.rowsPerSecond)} rows/s (produced in ${engine.produceSeconds.toFixed(1)} s, all ${int(engine.rows)} rows after ${engine.seconds.toFixed(1)} s)`);

  // Where the time goes.
  const profiles: Record<string, ProfileSummary> = {};
  for (const name of ['resolver', 'warehouse-writer']) {
    const dir = `${profDir}/${name}`;
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
    const summaries = files.map((f) => summariseProfile(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as CpuProfile, 15));
    const busiest = summaries.sort((x, y) => y.busyMs - x.busyMs)[0];
    if (busiest) profiles[name] = busiest;
  }
  const hottest = cpu.resolver >= cpu.writer ? 'resolver' : 'warehouse-writer';

  // The report.
  const ratioKafka = tp.eventsPerSecond / cperf.fetchRecordsPerSecond;
  const ratioEngine = tp.eventsPerSecond / engine.rowsPerSecond;
  const figures = [
    { figure: '1. core: events/s on one core (graph apply)', value: int(core.eventsPerSecond), aim: '' },
    { figure: '1. core: heap bytes per identifier', value: String(core.heapBytesPerIdentifier), aim: '' },
    { figure: '1. core: identifier extraction, touchpoints/s', value: core.extractTouchpointsPerSecond ? int(core.extractTouchpointsPerSecond) : 'n/a', aim: '' },
    { figure: `2. end to end: events/s, produce → queryable (${int(tp.produced)})`, value: int(tp.eventsPerSecond), aim: '≥ 50,000' },
    { figure: '2. end to end: seconds until drained', value: tp.drainedSeconds.toFixed(1), aim: '' },
    { figure: `3. latency p50 at ${int(lat.achievedRate)}/s, flush ${opts.flushMs} ms (ms)`, value: String(latSummary.p50), aim: '' },
    { figure: '3. latency p95 (ms)', value: String(latSummary.p95), aim: '' },
    { figure: '3. latency p99 (ms)', value: String(latSummary.p99), aim: '< 1,000' },
    { figure: '4. peak RSS resolver', value: mb(memory.resolver), aim: '' },
    { figure: '4. peak RSS warehouse writer', value: mb(memory.writer), aim: '' },
    ...Object.entries(quality).map(([name, q]) => ({ figure: `5. F1 ${name} (vs truth / vs linkable)`, value: `${pct(q.vsTruth.f1)} / ${pct(q.vsLinkable.f1)}`, aim: name === 'shared-devices' ? '≥ 99.5%' : '' })),
    { figure: '5. F1 e2e read back from ClickHouse (truth / linkable)', value: `${pct(e2eQuality.clickhouse.vsTruth.f1)} / ${pct(e2eQuality.clickhouse.vsLinkable.f1)}`, aim: '' },
    { figure: '6. Kafka ConsumerPerformance, records/s (fetch)', value: int(cperf.fetchRecordsPerSecond), aim: '' },
    { figure: '6. ours / Kafka read limit', value: ratioKafka.toFixed(3), aim: '≥ 0.5' },
    { figure: '6. ClickHouse Kafka engine raw JSON, rows/s', value: int(engine.rowsPerSecond), aim: '' },
    { figure: '6. ours / ClickHouse Kafka engine', value: ratioEngine.toFixed(3), aim: '' },
  ];
  step('Results');
  console.log(table(figures));
  console.log('\n  quality per scenario (pairwise over events):');
  console.log(table(Object.entries(quality).flatMap(([name, q]) => (['vsTruth', 'vsLinkable'] as const).map((k) => ({
    scenario: name, against: k === 'vsTruth' ? 'truth' : 'linkable', events: q[k].events, people: q[k].people, profiles: q[k].profiles,
    precision: pct(q[k].precision), recall: pct(q[k].recall), f1: pct(q[k].f1), over_merged: q[k].overMergedPeople, split: q[k].splitPeople, ambiguous_events: q.ambiguousEvents,
  })))));
  if (Object.keys(peers).length > 0) {
    console.log('\n  side by side: F1 vs linkable truth, arrival order / seeded shuffle (bench/peers, bench/README.md "Peers"):');
    console.log(table(f1Table(peers, peerResolvers.map((r) => r.name))));
    console.log('\n  side by side, why (vs linkable truth):');
    console.log(table(detailTable(peers)));
  }
  for (const [name, s] of Object.entries(profiles)) {
    console.log(`\n  CPU profile of the ${name}${name === hottest ? ' (the hottest service)' : ''}, CPU ${(name === 'resolver' ? cpu.resolver : cpu.writer).toFixed(1)} s during the end-to-end phase:`);
    console.log(formatSummary({ ...s, functions: s.functions.slice(0, 12), areas: s.areas.slice(0, 8) }));
  }

  const date = new Date().toISOString().slice(0, 10);
  const base = `${a.out}/${date}-${machine.gitSha.slice(0, 7)}`;
  mkdirSync(a.out!, { recursive: true });
  const t0 = lat.probes.reduce((m, x) => Math.min(m, x.ackAt), Number.POSITIVE_INFINITY);
  const svg = svgChart([
    {
      title: `Throughput: rows queryable in ClickHouse, ${int(tp.produced)} touchpoints produced at full speed`, xLabel: 'seconds since the first produce', yLabel: 'rows',
      series: [
        { label: `Tessera: rows queryable (events table), ${int(tp.eventsPerSecond)}/s`, color: '#1f77b4', points: tp.timeline.map((s) => [s.t, s.queryable]) },
        { label: 'Tessera: touchpoints produced', color: '#999', dashed: true, points: tp.timeline.map((s) => [s.t, s.produced]) },
        { label: 'Tessera: touchpoints resolved', color: '#2ca02c', points: tp.timeline.map((s) => [s.t, s.consumed]) },
        { label: `ClickHouse Kafka engine, raw JSON: ${int(engine.rowsPerSecond)}/s`, color: '#ff7f0e', points: engine.timeline.map((s) => [s.t, s.rows]) },
      ],
    },
    {
      title: `Latency produce (ack) → queryable, ${int(lat.achievedRate)} events/s, writer flush ${opts.flushMs} ms, ClickHouse polled every ${lat.pollMs} ms`,
      xLabel: 'seconds since the first produce', yLabel: 'ms',
      series: [{ label: `${seen.length} probes (every 20th event)`, color: '#d62728', dots: true, points: lat.probes.filter((x) => x.seenAt !== null).map((x) => [(x.ackAt - t0) / 1000, x.seenAt! - x.ackAt]) }],
      hLines: [{ y: latSummary.p50, label: `p50 ${latSummary.p50} ms`, color: '#555' }, { y: latSummary.p99, label: `p99 ${latSummary.p99} ms`, color: '#d62728' }, { y: 1000, label: 'aim: p99 < 1 s', color: '#2ca02c' }],
    },
  ], `${machine.cpus} × ${machine.cpuModel}, Kafka ${machine.kafka}, ClickHouse ${machine.clickhouse}, node ${machine.node}, git ${machine.gitSha.slice(0, 7)}, ${new Date().toISOString()}`);
  const png = writeChart(base, svg);
  const result = {
    command: `npx tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(), runId, date: new Date().toISOString(), machine, options: opts,
    core,
    endToEnd: { produced: tp.produced, produceSeconds: tp.produceSeconds, drainedSeconds: tp.drainedSeconds, eventsPerSecond: tp.eventsPerSecond, resolved: tp.resolved, queryable: tp.queryable, dlq: tp.dlq, cpuSeconds: cpu, timeline: tp.timeline },
    latency: { rate: opts.latencyRate, achievedRate: lat.achievedRate, seconds: lat.seconds, writerFlushMs: opts.flushMs, pollMs: lat.pollMs, probesSent: lat.probes.length, probesSeen: seen.length, ms: latSummary, measuredFrom: 'producer acknowledgement (acks=all)', measuredTo: 'first poll whose SELECT on events returns the row', probes: lat.probes.map((x) => [x.ackAt - t0, x.seenAt === null ? null : x.seenAt - x.ackAt]) },
    memory: { peakRssBytes: memory, note: 'VmHWM from /proc/<pid>/status; the writer figure is the larger of its two instances (throughput, then latency)' },
    quality: {
      scenarios: quality, people: opts.qualityPeople, endToEnd: e2eQuality,
      peers: Object.keys(peers).length > 0 ? { shuffleSeed: opts.shuffleSeed, resolvers: peerResolvers.map(({ name, about }) => ({ name, about })), scenarios: peers } : null,
    },
    references: {
      consumerPerformance: cperf, kafkaEngine: engine,
      ratios: { toKafkaConsumerPerformance: ratioKafka, toClickHouseKafkaEngine: ratioEngine },
    },
    profile: { hottest, cpuSecondsDuringEndToEnd: cpu, summaries: profiles },
    chart: png ?? `${base}.svg`,
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 1)}\n`);
  console.log(`\nwritten: ${base}.json${png ? `, ${png}` : `, ${base}.svg (install librsvg2-bin for the PNG)`}`);
} finally {
  await cleanup();
  await admin.disconnect();
  await ch.close();
}
console.log(`bench finished in ${((Date.now() - began) / 1000).toFixed(0)} s`);
