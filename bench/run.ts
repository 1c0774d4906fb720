// `make bench`: the identity core alone; the claims-first pipeline (extract ×1, ×2, ×4 → link → writer reading the
// touchpoints) end to end with service CPU per event per stage, the novel-claim ratio, latency and memory; identity quality per scenario and side by side with the peers'
// merge policies (bench/peers); and reference figures (Kafka's ConsumerPerformance, ClickHouse's Kafka engine, ClickHouse's
// write ceiling for the same rows), all in one run on this machine. Prints a table and writes
// bench/results/<date>-<sha>.json (+ a chart).
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { parseArgs, promisify } from 'node:util';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { createClient } from '@clickhouse/client';
import { select } from '../services/kit/clickhouse.ts';
import { createKafka } from '../services/kit/kafka.ts';
import { createLogger } from '../services/kit/log.ts';
import { serversDown } from '../services/kit/probe.ts';
import { AvroCodec } from '../services/kit/registry.ts';
import { ident, str } from '../services/kit/sql.ts';
import { stopService, type ServiceProcess } from '../services/demo/processes.ts';
import { table } from '../services/demo/table.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';
import { defaultIdentityConfig, extractIdentifiers, IdentityGraph } from '../services/identity/index.ts';
import type { Touchpoint } from '../services/contract/touchpoint.ts';
import { validateTouchpoint } from '../services/contract/validate.ts';
import { claimsThroughput, currentProfiles, restartWriter, startClaimsPipeline, stopClaimsPipeline, type ClaimsPipeline, type ClaimsThroughput, type PipelineEnv } from './claims-pipeline.ts';
import { exportEventRows, writeCeiling, type HttpTarget } from './write-ceiling.ts';
import { machineInfo } from './machine.ts';
import { summarise } from './percentile.ts';
import { latency, type LatencyResult } from './pipeline.ts';
import { svgChart, writeChart } from './plot.ts';
import { formatSummary, summariseProfile, type CpuProfile, type ProfileSummary } from './profile-summary.ts';
import { qualityOf, resolveWithCore, scenarios, type ScenarioQuality } from './quality.ts';
import { compareResolvers, detailTable, f1Table, resolvers as peerResolvers, type ScenarioComparison } from './peers/compare.ts';
import { consumerPerformance, kafkaEngineIngest, type KafkaEngineResult } from './references.ts';

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
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log(`usage: npx tsx bench/run.ts [--core-identifiers 1e6] [--e2e-events 300000] [--latency-rate 5000] [--latency-seconds 30]
       [--flush-ms 150] [--quality-people 4000] [--seed 42] [--shuffle-seed 7] [--skip-peers] [--cpu-prof]
       [--out bench/results] [--keep (topics and databases)]`);
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
const rawTopic = `${prefix}touchpoints.json`;
const home = process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`;
const logDir = `${process.env.TESSERA_LOG_DIR ?? `${home}/stack/logs`}/bench-${runId}`;
const profDir = `${tmpdir()}/tessera-bench-${runId}`;
const step = (s: string) => console.log(`\n== ${s}`);
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const mb = (b: number | null) => (b === null ? 'n/a' : `${(b / 2 ** 20).toFixed(0)} MB`);
const began = Date.now();
const loadAverages = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} (1, 5, 15 min)`;
const loadAtStart = loadAverages();

/** CPU µs per event of IdentityGraph.apply alone over the touchpoints' claims (extraction not counted), on this process. */
function graphStepOn(touchpoints: readonly Touchpoint[]): number {
  const claims = touchpoints.filter((t) => validateTouchpoint(t).ok)
    .map((t) => { const x = extractIdentifiers(t, defaultIdentityConfig); return { messageId: t.messageId, eventTime: t.timestamp, identifiers: x.identifiers, blocked: x.blocked ?? [] }; });
  const graph = new IdentityGraph(defaultIdentityConfig);
  const c0 = process.cpuUsage();
  for (const c of claims) if (c.identifiers.length || c.blocked.length) graph.apply(c.blocked.length ? c : { messageId: c.messageId, eventTime: c.eventTime, identifiers: c.identifiers });
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / touchpoints.length;
}

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
console.log(`run ${runId}: topics ${prefix}*, databases ${database}_*, service logs ${logDir}; ${loadAtStart}`);

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

// The pipelines, each in its own topics (bench.<runid>.<name>.*) and database (bench_<runid>_<name>).
const admin = kafka.admin();
await admin.connect();
mkdirSync(profDir, { recursive: true });
const pipeEnv: PipelineEnv = {
  kafka, codec, ch, logDir, partitions: 6,
  base: {
    TESSERA_TOPIC_PREFIX: prefix, TESSERA_CLICKHOUSE_DATABASE: database, TESSERA_PARTITIONS: '6', TESSERA_LOG_LEVEL: 'warn',
    TESSERA_KAFKA_BROKERS: cfg.TESSERA_KAFKA_BROKERS.join(','), TESSERA_REGISTRY_URL: cfg.TESSERA_REGISTRY_URL, TESSERA_CLICKHOUSE_URL: cfg.TESSERA_CLICKHOUSE_URL,
  },
};
const http: HttpTarget = { url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD };
// One folder per service: node writes a profile per thread (tsx's loader runs in a worker), the main thread is the busy one.
const prof = (name: string) => (a['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}/${name}`] : []);
const running: ClaimsPipeline[] = [];
const others: ServiceProcess[] = [];
const cleanup = async () => {
  for (const p of running.splice(0)) await stopClaimsPipeline(p);
  for (const s of others.splice(0).reverse()) await stopService(s);
  if (!a.keep) {
    const dbs = await select<{ name: string }>(ch, `SELECT name FROM system.databases WHERE startsWith(name, ${str(database)})`).catch(() => []);
    for (const { name } of dbs) {
      await ch.command({ query: `DROP TABLE IF EXISTS ${ident(name)}.raw_mv` }).catch(() => undefined);
      await ch.command({ query: `DROP TABLE IF EXISTS ${ident(name)}.raw_queue` }).catch(() => undefined);
      await ch.command({ query: `DROP DATABASE IF EXISTS ${ident(name)}` }).catch(() => undefined);
    }
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    const groups = (await admin.listGroups().catch(() => ({ groups: [] as { groupId: string }[] }))).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  }
};
process.on('SIGINT', () => { void cleanup().finally(() => process.exit(130)); });

const peoplePerEvent = 1 / 24.75; // the generator's default population yields ~24.75 touchpoints a person
const population = (events: number, seed: number) => generate({ ...defaultPopulation, people: Math.ceil(events * peoplePerEvent * 1.02), seed });
const gen = population(opts.e2eEvents, opts.seed);
const e2eTouchpoints = gen.touchpoints.slice(0, opts.e2eEvents);
const truthSlice = new Map(e2eTouchpoints.map((t) => [t.messageId, gen.truth.get(t.messageId)!]));
const coreE2e = resolveWithCore(e2eTouchpoints, truthSlice, defaultIdentityConfig);
// The graph step alone on these very events (their claims through IdentityGraph.apply), on this process, while idle.
const graphStep = graphStepOn(e2eTouchpoints);
console.log(`\n  the graph step alone on the end-to-end events: ${graphStep.toFixed(1)} µs CPU per event (bench/core.ts workload: ${(1e6 / core.eventsPerSecond).toFixed(1)} µs)`);

/** The same events, the same answer: how many events ClickHouse attributes otherwise than the pure core, and a digest of the attribution. */
async function crossCheck(db: string) {
  const fromCh = await currentProfiles(ch, db);
  let disagreements = 0;
  for (const [m, pr] of coreE2e.profileOf) if (fromCh.get(m) !== pr) disagreements += 1;
  const digest = createHash('sha256').update([...fromCh].sort(([x], [y]) => (x < y ? -1 : 1)).map(([m, pr]) => `${m}=${pr ?? ''}`).join('\n')).digest('hex').slice(0, 16);
  return { fromCh, disagreements, digest, events: fromCh.size };
}

const perEvent = (cpuS: number, events: number) => Math.round(((cpuS * 1e6) / events) * 10) / 10;
function stageCpu(t: ClaimsThroughput) {
  const extract = t.extractInstances.reduce((s, x) => s + x.cpuSeconds, 0);
  const link = t.cpuSeconds.link ?? 0, writer = t.cpuSeconds.writer ?? 0;
  return {
    cpuSeconds: { extract, link, writer },
    cpuUsPerEvent: { extract: perEvent(extract, t.produced), link: perEvent(link, t.produced), writer: perEvent(writer, t.produced), total: perEvent(extract + link + writer, t.produced) },
  };
}

try {
  // 2. Throughput until drained, one extract instance.
  step(`2. End to end, extract ×1 → link → writer(touchpoints): ${int(e2eTouchpoints.length)} touchpoints as fast as possible, until all are queryable and attributed`);
  const x1 = await startClaimsPipeline(pipeEnv, 'x1', { extracts: 1, nodeFlags: prof });
  running.push(x1);
  const tp = await claimsThroughput(pipeEnv, x1, e2eTouchpoints, 600_000);
  const cpu = stageCpu(tp);
  const novelClaimRatio = tp.claimsPublished / tp.produced;
  console.log(`  ${int(tp.eventsPerSecond)} events/s: produced in ${tp.produceSeconds.toFixed(1)} s, ${int(tp.valid)} events queryable after ${tp.queryableSeconds.toFixed(1)} s, attributed (every stage drained) after ${tp.drainedSeconds.toFixed(1)} s`);
  console.log(`  CPU µs per event: extract ${cpu.cpuUsPerEvent.extract}, link ${cpu.cpuUsPerEvent.link}, writer ${cpu.cpuUsPerEvent.writer}, total ${cpu.cpuUsPerEvent.total}; novel claims ${int(tp.claimsPublished)} (${pct(novelClaimRatio)} of the touchpoints), link ${perEvent(cpu.cpuSeconds.link, tp.claimsLinked)} µs per claim`);

  // 5b. Cross-check: the quality of what the pipeline wrote, read back from events_current.
  const check1 = await crossCheck(x1.database);
  const e2eQuality = { clickhouse: qualityOf(check1.fromCh, truthSlice, coreE2e.linkable), core: qualityOf(coreE2e.profileOf, truthSlice, coreE2e.linkable), disagreements: check1.disagreements, events: check1.events, digest: check1.digest };
  console.log(`  quality read back from ClickHouse: F1 ${pct(e2eQuality.clickhouse.vsTruth.f1)} vs truth, ${pct(e2eQuality.clickhouse.vsLinkable.f1)} vs linkable; ${int(check1.disagreements)} events where ClickHouse and the pure core disagree`);
  // The write ceiling's input: these very rows, in the writer's format, before the latency phase adds more.
  const ceilingFiles = await exportEventRows(ch, http, x1.database, `${profDir}/ceiling`, 20_000);

  // 3. Latency at a fixed rate, with a short writer flush interval: at the issue's rate and at half the capacity just measured.
  const halfCapacity = Math.round(tp.eventsPerSecond / 2);
  await restartWriter(pipeEnv, x1, { TESSERA_WRITER_FLUSH_MS: String(opts.flushMs) });
  const latencies: { label: string; rate: number; result: LatencyResult; ms: ReturnType<typeof summarise>; seen: number }[] = [];
  for (const [i, [label, rate]] of ([['fixed', opts.latencyRate], ['half capacity', halfCapacity]] as const).entries()) {
    step(`3. Latency (${label}): ${int(rate)} events/s for ${opts.latencySeconds} s, writer flushing every ${opts.flushMs} ms`);
    const count = Math.round(rate * opts.latencySeconds);
    const latGen = population(count, opts.seed + 1 + i);
    const result = await latency({ kafka, codec, ch, database: x1.database, touchpointsTopic: x1.topics.touchpoints }, latGen.touchpoints.slice(0, count),
      { rate, probeEvery: 20, pollMs: 50, timeoutMs: (opts.latencySeconds + 60) * 1000 });
    const seen = result.probes.filter((x) => x.seenAt !== null).map((x) => x.seenAt! - x.ackAt);
    const ms = summarise(seen);
    latencies.push({ label, rate, result, ms, seen: seen.length });
    console.log(`  ${int(result.achievedRate)} events/s achieved; ${seen.length}/${result.probes.length} probes seen: p50 ${ms.p50} ms, p95 ${ms.p95} ms, p99 ${ms.p99} ms, max ${ms.max} ms`);
  }
  const [latFixed, latHalf] = latencies as [typeof latencies[number], typeof latencies[number]];
  running.splice(running.indexOf(x1), 1);
  await stopClaimsPipeline(x1);

  // 4. Peak memory of each service in the throughput phase.
  const memory = tp.peakRssBytes;
  step('4. Peak RSS (VmHWM) during the throughput phase');
  console.log(`  ${Object.entries(memory).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`);

  // 2b. Scale-out: the same events through 2 and 4 extract instances, each on fresh topics and a fresh database.
  const scaling: Record<string, { extracts: number; eventsPerSecond: number; drainedSeconds: number; cpuUsPerEvent: ReturnType<typeof stageCpu>['cpuUsPerEvent']; extractInstances: ClaimsThroughput['extractInstances']; claimsPublished: number; claimsLinked: number; linkCpuUsPerClaim: number; novelClaimRatio: number; disagreements: number; digest: string; identicalToX1: boolean }> = {};
  const scaleRow = (n: number, t: ClaimsThroughput, c: Awaited<ReturnType<typeof crossCheck>>) => {
    const s = stageCpu(t);
    return {
      extracts: n, eventsPerSecond: t.eventsPerSecond, drainedSeconds: t.drainedSeconds, cpuUsPerEvent: s.cpuUsPerEvent, extractInstances: t.extractInstances,
      claimsPublished: t.claimsPublished, claimsLinked: t.claimsLinked, linkCpuUsPerClaim: perEvent(s.cpuSeconds.link, t.claimsLinked),
      novelClaimRatio: t.claimsPublished / t.produced, disagreements: c.disagreements, digest: c.digest, identicalToX1: c.digest === check1.digest,
    };
  };
  scaling.x1 = scaleRow(1, tp, check1);
  for (const n of [2, 4]) {
    step(`2b. End to end with extract ×${n} (one consumer group over 6 partitions), the same ${int(e2eTouchpoints.length)} touchpoints`);
    const xp = await startClaimsPipeline(pipeEnv, `x${n}`, { extracts: n });
    running.push(xp);
    const t = await claimsThroughput(pipeEnv, xp, e2eTouchpoints, 600_000);
    const c = await crossCheck(xp.database);
    running.splice(running.indexOf(xp), 1);
    await stopClaimsPipeline(xp);
    scaling[`x${n}`] = scaleRow(n, t, c);
    const r = scaling[`x${n}`]!;
    console.log(`  ${int(r.eventsPerSecond)} events/s; CPU µs per event: ${t.extractInstances.map((x) => `${x.name} ${x.cpuUsPerEvent.toFixed(1)} (${x.cpuUsPerEventBeyondIdle.toFixed(1)} beyond idle; ${int(x.events)} events)`).join(', ')}, link ${r.cpuUsPerEvent.link}, writer ${r.cpuUsPerEvent.writer}, total ${r.cpuUsPerEvent.total}`);
    console.log(`  claims published ${int(r.claimsPublished)} (${pct(r.novelClaimRatio)}), link ${r.linkCpuUsPerClaim} µs per claim; ${int(c.disagreements)} events differ from the pure core; attribution ${r.identicalToX1 ? 'identical to' : 'DIFFERS from'} extract ×1 (digest ${c.digest})`);
  }

  // 6. References on the same machine, with the pipelines stopped.
  step(`6. References: Kafka ConsumerPerformance on ${x1.topics.touchpoints}, ClickHouse's Kafka engine on the same events as JSON, ClickHouse's write ceiling for the same event rows`);
  const cperf = await consumerPerformance(cfg.TESSERA_KAFKA_BROKERS.join(','), x1.topics.touchpoints, e2eTouchpoints.length, `${prefix}consumer-perf`);
  console.log(`  ConsumerPerformance: ${int(cperf.recordsPerSecond)} records/s overall, ${int(cperf.fetchRecordsPerSecond)} records/s fetching`);
  // A reference that fails (the 18.16 engine can stall) is reported as such; the rest of the report stands.
  const engine: KafkaEngineResult | { error: string; rowsPerSecond: number; timeline: { t: number; rows: number }[] } = await kafkaEngineIngest({
    kafka, ch, database: x1.database, topic: rawTopic, brokers: cfg.TESSERA_KAFKA_BROKERS.join(','), group: `${prefix}ch-engine`, touchpoints: e2eTouchpoints,
  }).catch((err: unknown) => ({ error: (err as Error).message, rowsPerSecond: Number.NaN, timeline: [] }));
  if ('error' in engine) console.log(`  ClickHouse Kafka engine: failed: ${engine.error}`);
  else console.log(`  ClickHouse Kafka engine: ${int(engine.rowsPerSecond)} rows/s (produced in ${engine.produceSeconds.toFixed(1)} s, all ${int(engine.rows)} rows after ${engine.seconds.toFixed(1)} s)`);
  const ceiling = await writeCeiling(ch, http, x1.database, ceilingFiles.files, ceilingFiles.rows, 20_000);
  console.log(`  ClickHouse write ceiling: ${int(ceiling.rowsPerSecond)} rows/s (${int(ceiling.rows)} event rows, ${ceiling.inserts} RowBinary inserts of ~${int(ceiling.batchRows)} rows over HTTP, ${(ceiling.bytes / 2 ** 20).toFixed(0)} MB, ${ceiling.seconds.toFixed(1)} s)`);

  // Where the time goes (with --cpu-prof: the extract ×1 pipeline's services).
  const profiles: Record<string, ProfileSummary> = {};
  for (const name of ['extract-0', 'link', 'writer']) {
    const dir = `${profDir}/${name}`;
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
    const summaries = files.map((f) => summariseProfile(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as CpuProfile, 15));
    const busiest = summaries.sort((x, y) => y.busyMs - x.busyMs)[0];
    if (busiest) profiles[name] = busiest;
  }

  // The report: the issue's aims as ratios measured in this run.
  const graphStepCore = 1e6 / core.eventsPerSecond;
  const ratios = {
    // Both are CPU per event (bench/core.ts times its graph apply in CPU, not wall time).
    totalCpuToCoreGraphStep: cpu.cpuUsPerEvent.total / graphStepCore,
    totalCpuToGraphStepOnTheseEvents: cpu.cpuUsPerEvent.total / graphStep,
    toKafkaConsumerPerformance: tp.eventsPerSecond / cperf.fetchRecordsPerSecond,
    toClickHouseKafkaEngine: tp.eventsPerSecond / engine.rowsPerSecond,
    toClickHouseWriteCeiling: tp.eventsPerSecond / ceiling.rowsPerSecond,
  };
  const aim = (ok: boolean) => (ok ? ' ✓' : ' ✗');
  const figures = [
    { figure: '1. core: events per CPU-second on one core (graph apply, bench/core.ts)', value: int(core.eventsPerSecond), aim: '' },
    { figure: '1. core: graph step µs CPU per event (bench/core.ts / these events)', value: `${graphStepCore.toFixed(1)} / ${graphStep.toFixed(1)}`, aim: '' },
    { figure: '1. core: heap bytes per identifier', value: String(core.heapBytesPerIdentifier), aim: '' },
    { figure: '1. core: identifier extraction, touchpoints/s', value: core.extractTouchpointsPerSecond ? int(core.extractTouchpointsPerSecond) : 'n/a', aim: '' },
    { figure: `2. end to end, extract ×1: events/s, produce → queryable and attributed (${int(tp.produced)})`, value: int(tp.eventsPerSecond), aim: '' },
    { figure: '2. end to end, extract ×2: events/s', value: int(scaling.x2!.eventsPerSecond), aim: '' },
    { figure: '2. end to end, extract ×4: events/s', value: int(scaling.x4!.eventsPerSecond), aim: '' },
    { figure: '2. CPU µs per event: extract / link / writer / total', value: `${cpu.cpuUsPerEvent.extract} / ${cpu.cpuUsPerEvent.link} / ${cpu.cpuUsPerEvent.writer} / ${cpu.cpuUsPerEvent.total}`, aim: '' },
    { figure: '2. total CPU per event ÷ graph step (bench/core.ts | these events)', value: `${ratios.totalCpuToCoreGraphStep.toFixed(1)} × | ${ratios.totalCpuToGraphStepOnTheseEvents.toFixed(1)} ×`, aim: `≤ 3 ×${aim(ratios.totalCpuToCoreGraphStep <= 3)}` },
    { figure: '2. novel-claim ratio (claims published ÷ touchpoints)', value: pct(novelClaimRatio), aim: '' },
    { figure: '2. link: claims/s at the end-to-end rate, CPU µs per claim', value: `${int(tp.claimsLinked / tp.drainedSeconds)} / ${perEvent(cpu.cpuSeconds.link, tp.claimsLinked)}`, aim: '' },
    { figure: '2. extract CPU µs per event of each instance ×1 | ×2 | ×4', value: ['x1', 'x2', 'x4'].map((k) => scaling[k]!.extractInstances.map((x) => x.cpuUsPerEvent.toFixed(1)).join(' ')).join(' | '), aim: 'flat' },
    { figure: '2. … the same beyond each instance\'s idle CPU (kafkajs polls, heartbeats)', value: ['x1', 'x2', 'x4'].map((k) => scaling[k]!.extractInstances.map((x) => x.cpuUsPerEventBeyondIdle.toFixed(1)).join(' ')).join(' | '), aim: 'flat' },
    { figure: '2. link claims linked ×1 | ×2 | ×4', value: ['x1', 'x2', 'x4'].map((k) => int(scaling[k]!.claimsLinked)).join(' | '), aim: '' },
    { figure: '2. ClickHouse attribution identical ×1 = ×2 = ×4; events differing from the pure core', value: `${Object.values(scaling).every((s) => s.identicalToX1) ? 'yes' : 'NO'}; ${Object.values(scaling).map((s) => int(s.disagreements)).join(' | ')}`, aim: 'yes; 0' },
    { figure: `3. latency at ${int(latFixed.result.achievedRate)}/s, flush ${opts.flushMs} ms: p50 / p95 / p99 (ms)`, value: `${latFixed.ms.p50} / ${latFixed.ms.p95} / ${latFixed.ms.p99}`, aim: '' },
    { figure: `3. latency at half capacity (${int(latHalf.result.achievedRate)}/s): p50 / p95 / p99 (ms)`, value: `${latHalf.ms.p50} / ${latHalf.ms.p95} / ${latHalf.ms.p99}`, aim: `p99 ≤ 1,000${aim(latHalf.ms.p99 <= 1000)}` },
    { figure: '4. peak RSS extract / link / writer', value: `${mb(memory['extract-0'] ?? null)} / ${mb(memory.link ?? null)} / ${mb(memory.writer ?? null)}`, aim: '' },
    ...Object.entries(quality).map(([name, q]) => ({ figure: `5. F1 ${name} (vs truth / vs linkable)`, value: `${pct(q.vsTruth.f1)} / ${pct(q.vsLinkable.f1)}`, aim: name === 'shared-devices' ? '≥ 99.5%' : '' })),
    { figure: '5. F1 e2e read back from ClickHouse (truth / linkable)', value: `${pct(e2eQuality.clickhouse.vsTruth.f1)} / ${pct(e2eQuality.clickhouse.vsLinkable.f1)}`, aim: '' },
    { figure: '6. Kafka ConsumerPerformance, records/s (fetch)', value: int(cperf.fetchRecordsPerSecond), aim: '' },
    { figure: '6. ours ÷ Kafka read limit', value: ratios.toKafkaConsumerPerformance.toFixed(3), aim: '' },
    { figure: '6. ClickHouse Kafka engine raw JSON, rows/s', value: int(engine.rowsPerSecond), aim: '' },
    { figure: '6. ours ÷ ClickHouse Kafka engine', value: ratios.toClickHouseKafkaEngine.toFixed(2), aim: `≥ 3${aim(ratios.toClickHouseKafkaEngine >= 3)}` },
    { figure: '6. ClickHouse write ceiling (RowBinary over HTTP), rows/s', value: int(ceiling.rowsPerSecond), aim: '' },
    { figure: '6. ours ÷ ClickHouse write ceiling', value: ratios.toClickHouseWriteCeiling.toFixed(3), aim: `≥ 0.3${aim(ratios.toClickHouseWriteCeiling >= 0.3)}` },
  ];
  step('Results');
  console.log(`  load during the run: ${loadAverages()}`);
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
    console.log(`\n  CPU profile of ${name} (extract ×1 pipeline, the whole life of the process):`);
    console.log(formatSummary({ ...s, functions: s.functions.slice(0, 12), areas: s.areas.slice(0, 8) }));
  }

  const date = new Date().toISOString().slice(0, 10);
  const base = `${a.out}/${date}-${machine.gitSha.slice(0, 7)}`;
  mkdirSync(a.out!, { recursive: true });
  const latPanel = (l: typeof latFixed, color: string) => {
    const t0 = l.result.probes.reduce((m, x) => Math.min(m, x.ackAt), Number.POSITIVE_INFINITY);
    return {
      title: `Latency produce (ack) → queryable at ${int(l.result.achievedRate)} events/s (${l.label}), writer flush ${opts.flushMs} ms, ClickHouse polled every ${l.result.pollMs} ms`,
      xLabel: 'seconds since the first produce', yLabel: 'ms',
      series: [{ label: `${l.seen} probes (every 20th event)`, color, dots: true, points: l.result.probes.filter((x) => x.seenAt !== null).map((x) => [(x.ackAt - t0) / 1000, x.seenAt! - x.ackAt] as [number, number]) }],
      hLines: [{ y: l.ms.p50, label: `p50 ${l.ms.p50} ms`, color: '#555' }, { y: l.ms.p99, label: `p99 ${l.ms.p99} ms`, color: '#d62728' }, { y: 1000, label: 'aim at half capacity: p99 ≤ 1 s', color: '#2ca02c' }],
    };
  };
  const svg = svgChart([
    {
      title: `Throughput: rows queryable in ClickHouse, ${int(tp.produced)} touchpoints produced at full speed`, xLabel: 'seconds since the first produce', yLabel: 'rows',
      series: [
        { label: `extract ×1 → link → writer: events rows queryable, ${int(tp.eventsPerSecond)}/s to attributed`, color: '#1f77b4', points: tp.timeline.map((s) => [s.t, s.queryable]) },
        { label: 'touchpoints produced', color: '#999', dashed: true, points: tp.timeline.map((s) => [s.t, s.produced]) },
        { label: 'touchpoints through extract', color: '#2ca02c', points: tp.timeline.map((s) => [s.t, s.extracted]) },
        { label: `claims linked (${pct(novelClaimRatio)} of the touchpoints)`, color: '#9467bd', points: tp.timeline.map((s) => [s.t, s.claimsLinked]) },
        { label: `ClickHouse Kafka engine, raw JSON: ${int(engine.rowsPerSecond)}/s`, color: '#ff7f0e', points: engine.timeline.map((s) => [s.t, s.rows]) },
      ],
    },
    latPanel(latFixed, '#d62728'),
    latPanel(latHalf, '#8c564b'),
  ], `${machine.cpus} × ${machine.cpuModel}, Kafka ${machine.kafka}, ClickHouse ${machine.clickhouse}, node ${machine.node}, git ${machine.gitSha.slice(0, 7)}, ${new Date().toISOString()}`);
  const png = writeChart(base, svg);
  const lat = (l: typeof latFixed) => ({
    label: l.label, rate: l.rate, achievedRate: l.result.achievedRate, seconds: l.result.seconds, probesSent: l.result.probes.length, probesSeen: l.seen, ms: l.ms,
    probes: (() => { const t0 = l.result.probes.reduce((m, x) => Math.min(m, x.ackAt), Number.POSITIVE_INFINITY); return l.result.probes.map((x) => [x.ackAt - t0, x.seenAt === null ? null : x.seenAt - x.ackAt]); })(),
  });
  const result = {
    command: `npx tsx bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(), runId, date: new Date().toISOString(), machine, load: { atStart: loadAtStart, atEnd: loadAverages() }, options: opts,
    topology: 'extract (N instances) → claims → link → identity topics; warehouse writer reading the touchpoints itself (TESSERA_WRITER_EVENTS=touchpoints)',
    core: { ...core, graphStepCpuUsPerEvent: 1e6 / core.eventsPerSecond, graphStepCpuUsPerEventOnTheseEvents: graphStep },
    cpuUsPerEvent: cpu.cpuUsPerEvent,
    endToEnd: {
      produced: tp.produced, valid: tp.valid, produceSeconds: tp.produceSeconds, queryableSeconds: tp.queryableSeconds, drainedSeconds: tp.drainedSeconds, eventsPerSecond: tp.eventsPerSecond,
      cpuSeconds: cpu.cpuSeconds, idleCpuPerSecond: tp.idleCpuPerSecond, claimsPublished: tp.claimsPublished, claimsLinked: tp.claimsLinked, claimsChanged: tp.claimsChanged, novelClaimRatio,
      link: { claimsPerSecond: tp.claimsLinked / tp.drainedSeconds, cpuUsPerClaim: perEvent(cpu.cpuSeconds.link, tp.claimsLinked) },
      timeline: tp.timeline,
    },
    scaling,
    latency: { writerFlushMs: opts.flushMs, pollMs: 50, measuredFrom: 'producer acknowledgement (acks=all)', measuredTo: 'first poll whose SELECT on events returns the row', fixed: lat(latFixed), halfCapacity: lat(latHalf) },
    memory: { peakRssBytes: memory, note: 'VmHWM from /proc/<pid>/status of each service of the extract ×1 pipeline at the end of the throughput phase' },
    quality: {
      scenarios: quality, people: opts.qualityPeople, endToEnd: e2eQuality,
      peers: Object.keys(peers).length > 0 ? { shuffleSeed: opts.shuffleSeed, resolvers: peerResolvers.map(({ name, about }) => ({ name, about })), scenarios: peers } : null,
    },
    references: { consumerPerformance: cperf, kafkaEngine: engine, writeCeiling: ceiling },
    ratios,
    profile: a['cpu-prof'] ? { summaries: profiles } : null,
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
