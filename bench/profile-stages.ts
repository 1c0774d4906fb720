// The claims-first pipeline (extract ×N → link → writer reading the touchpoints) on the bench's events with every
// service under `node --cpu-prof`: CPU µs per event per stage, and where each stage's time goes (self time by area and
// function, bench/profile-summary.ts). Profiles stay in the printed folder for a closer look.
//   npx tsx bench/profile-stages.ts [--events 100000] [--seed 42] [--extracts 1] [--no-prof]
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from 'node:util';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { createClickHouse } from '../services/kit/clickhouse.ts';
import { createKafka } from '../services/kit/kafka.ts';
import { createLogger } from '../services/kit/log.ts';
import { AvroCodec } from '../services/kit/registry.ts';
import { ident } from '../services/kit/sql.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';
import { claimsThroughput, startClaimsPipeline, stopClaimsPipeline } from './claims-pipeline.ts';
import { formatSummary, summariseProfile, type CpuProfile } from './profile-summary.ts';

const { values: a } = parseArgs({ options: {
  events: { type: 'string', default: '100000' }, seed: { type: 'string', default: '42' }, extracts: { type: 'string', default: '1' },
  'no-prof': { type: 'boolean', default: false },
} });
const events = Number(a.events);
const cfg = parseEnv(commonEnv);
const runId = Date.now().toString(36);
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, `bench-prof-${runId}`, createLogger('bench', 'warn'));
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD });
const profDir = `${tmpdir()}/tessera-prof-${runId}`;
const logDir = `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/stack/logs/bench-prof-${runId}`;
mkdirSync(profDir, { recursive: true });
const env = {
  kafka, codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL), ch, logDir, partitions: 6,
  base: {
    TESSERA_TOPIC_PREFIX: `bench.prof${runId}.`, TESSERA_CLICKHOUSE_DATABASE: `bench_prof_${runId}`, TESSERA_PARTITIONS: '6', TESSERA_LOG_LEVEL: 'warn',
    TESSERA_KAFKA_BROKERS: cfg.TESSERA_KAFKA_BROKERS.join(','), TESSERA_REGISTRY_URL: cfg.TESSERA_REGISTRY_URL, TESSERA_CLICKHOUSE_URL: cfg.TESSERA_CLICKHOUSE_URL,
  },
};
const touchpoints = generate({ ...defaultPopulation, people: Math.ceil((events / 24.75) * 1.02), seed: Number(a.seed) }).touchpoints.slice(0, events);
const p = await startClaimsPipeline(env, 'p', { extracts: Number(a.extracts), nodeFlags: (s) => (a['no-prof'] ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}/${s}`]) });
try {
  const t = await claimsThroughput(env, p, touchpoints, 600_000);
  const per = (s: number) => Math.round(((s * 1e6) / t.produced) * 10) / 10;
  const cpu = Object.fromEntries(Object.entries(t.cpuSeconds).map(([k, v]) => [k, per(v)]));
  console.log(JSON.stringify({ command: `npx tsx bench/profile-stages.ts ${process.argv.slice(2).join(' ')}`.trim(), events: t.produced, eventsPerSecond: Math.round(t.eventsPerSecond),
    cpuUsPerEvent: { ...cpu, total: per(Object.values(t.cpuSeconds).reduce((x, y) => x + y, 0)) }, claimsPublished: t.claimsPublished, profiles: a['no-prof'] ? null : profDir }));
} finally {
  await stopClaimsPipeline(p);
  await ch.command({ query: `DROP DATABASE IF EXISTS ${ident(`${env.base.TESSERA_CLICKHOUSE_DATABASE}_p`)}` });
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: (await admin.listTopics()).filter((x) => x.startsWith(p.prefix)) }).catch(() => undefined);
  await admin.disconnect();
  await ch.close();
}
for (const s of a['no-prof'] ? [] : readdirSync(profDir)) {
  const dir = `${profDir}/${s}`;
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
  const busiest = files.map((f) => ({ f, s: summariseProfile(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as CpuProfile, 20) })).sort((x, y) => y.s.busyMs - x.s.busyMs)[0];
  if (!busiest) continue;
  console.log(`\n${s}: ${dir}/${busiest.f}`);
  console.log(formatSummary(busiest.s));
}
process.exit(0);
