// Service CPU per event of the claims-first stages (extract, link) on generated touchpoints and the novel-claim
// ratio; in the same run, for comparison, the identity core's graph step alone.
// With --resolved, the optional resolved-event stage runs beside them (its CPU is reported apart: not on the default path).
// `npx tsx bench/claims-stages.ts [--events 300000] [--seed 42] [--cache-size 250000] [--resolved]`
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Kafka } from 'kafkajs';
import { freePort, metric, startService, stopService, waitReady, type ServiceProcess } from '../services/demo/processes.ts';
import { validateTouchpoint } from '../services/contract/validate.ts';
import { defaultIdentityConfig, extractIdentifiers, IdentityGraph } from '../services/identity/index.ts';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { createKafka, createMissingTopics } from '../services/kit/kafka.ts';
import { createLogger } from '../services/kit/log.ts';
import { AvroCodec } from '../services/kit/registry.ts';
import { topicNames, type Topics } from '../services/kit/topics.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';
import { produceTouchpoints } from '../services/loadgen/produce.ts';
import { cpuSeconds } from './services.ts';

const { values: a } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    seed: { type: 'string', default: '42' },
    'cache-size': { type: 'string', default: '250000' },
    resolved: { type: 'boolean', default: false },
  },
});
const events = Number(a.events), seed = Number(a.seed), cacheSize = Number(a['cache-size']);
const cfg = parseEnv(commonEnv);
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, 'bench-claims', createLogger('bench', 'warn'));
const codec = new AvroCodec(cfg.TESSERA_REGISTRY_URL);
const runId = randomBytes(3).toString('hex');
const logDir = `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/stack/logs/bench-claims-${runId}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const perEvent = (cpuS: number) => Math.round(((cpuS * 1e6) / touchpoints.length) * 10) / 10;

// ~24.75 touchpoints per generated person; take exactly `events` of them.
const touchpoints = generate({ ...defaultPopulation, people: Math.ceil((events / 24.75) * 1.02), seed }).touchpoints.slice(0, events);

async function offsets(k: Kafka, topic: string, group?: string): Promise<Map<number, bigint>> {
  const admin = k.admin();
  await admin.connect();
  try {
    if (!group) return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** Until `group` has committed the end of `topic` (as it is when this is called). */
async function drained(group: string, topic: string): Promise<void> {
  const ends = await offsets(kafka, topic);
  for (;;) {
    const c = await offsets(kafka, topic, group);
    if ([...ends].every(([p, end]) => (c.get(p) ?? -1n) >= end)) return;
    await sleep(500);
  }
}

/**
 * Starts the services on a fresh prefix, waits until they are ready, then produces the touchpoints and waits until
 * `through` says they are through: the CPU each service spent from ready to drained, and the wall time.
 */
async function run(name: string, services: { name: string; entry: string }[], through: (prefix: string, t: Topics, ps: ServiceProcess[]) => Promise<void>) {
  const prefix = `bench.${name}${runId}.`;
  const topics = topicNames(prefix);
  const env = { TESSERA_TOPIC_PREFIX: prefix, TESSERA_PARTITIONS: '6', TESSERA_LOG_LEVEL: 'warn', TESSERA_EXTRACT_CACHE_SIZE: String(cacheSize) };
  const ps: ServiceProcess[] = [];
  try {
    // A loaded broker can answer a fresh topic's metadata late: try again rather than lose the run.
    for (let attempt = 1; ; attempt++) {
      try {
        await createMissingTopics(kafka, topics, { partitions: 6, replicationFactor: 1 });
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        await sleep(2_000);
      }
    }
    for (const s of services) ps.push(startService(s.name, s.entry, env, logDir, await freePort()));
    for (const p of ps) await waitReady(p);
    const cpu0 = ps.map((p) => cpuSeconds(p.child.pid) ?? 0);
    const started = Date.now();
    await produceTouchpoints({ kafka, codec, topic: topics.touchpoints, touchpoints, total: touchpoints.length });
    await through(prefix, topics, ps);
    const seconds = (Date.now() - started) / 1000;
    const cpu = Object.fromEntries(ps.map((p, i) => [p.name, (cpuSeconds(p.child.pid) ?? 0) - cpu0[i]!]));
    return { seconds, cpu };
  } finally {
    for (const p of ps) await stopService(p, 10_000);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** The graph step alone over the same events' claims, on this process's CPU. */
function coreStep(): number {
  const claims = touchpoints.filter((t) => validateTouchpoint(t).ok)
    .map((t) => ({ messageId: t.messageId, eventTime: t.timestamp, identifiers: extractIdentifiers(t, defaultIdentityConfig).identifiers }));
  const graph = new IdentityGraph(defaultIdentityConfig);
  const c0 = process.cpuUsage();
  for (const c of claims) if (c.identifiers.length) graph.apply(c);
  const c = process.cpuUsage(c0);
  return Math.round(((c.user + c.system) / touchpoints.length) * 10) / 10;
}

console.log(`${touchpoints.length.toLocaleString('en-US')} touchpoints (seed ${seed}), extract cache ${cacheSize.toLocaleString('en-US')} claims`);
const result: Record<string, unknown> = { events: touchpoints.length, seed, cacheSize };

let published = 0, claimsIn = 0, changed = 0;
const stages = [{ name: 'extract', entry: 'services/extract/main.ts' }, { name: 'link', entry: 'services/link/main.ts' },
  ...(a.resolved ? [{ name: 'resolved', entry: 'services/resolved/main.ts' }] : [])];
const claims = await run('claims', stages, async (prefix, t, ps) => {
  await drained(`${prefix}extract`, t.touchpoints);
  await drained(`${prefix}link`, t.claims);
  if (a.resolved) await drained(`${prefix}resolved`, t.touchpoints);
  const [extract, link] = ps as [ServiceProcess, ServiceProcess];
  published = await metric(extract.port, 'tessera_extract_claims_published_total');
  claimsIn = await metric(link.port, 'tessera_link_claims_in_total');
  changed = await metric(link.port, 'tessera_link_claims_changed_total');
});
result.claims = {
  seconds: claims.seconds,
  cpuSeconds: claims.cpu,
  cpuUsPerEvent: { extract: perEvent(claims.cpu.extract!), link: perEvent(claims.cpu.link!), total: perEvent(claims.cpu.extract! + claims.cpu.link!) },
  linkCpuUsPerClaim: Math.round(((claims.cpu.link! * 1e6) / claimsIn) * 10) / 10,
  claimsPublished: published, claimsLinked: claimsIn, claimsThatChangedTheGraph: changed,
  novelClaimRatio: Math.round((published / touchpoints.length) * 10_000) / 10_000,
  ...(a.resolved ? { resolvedStageCpuUsPerEvent: perEvent(claims.cpu.resolved!) } : {}),
};
console.log(JSON.stringify({ claims: result.claims }));

result.core = { graphStepCpuUsPerEvent: coreStep() };
console.log(JSON.stringify(result, null, 2));
process.exit(0);
