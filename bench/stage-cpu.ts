// CPU per event of the extract and link stages' own work, without Kafka: the bench's touchpoints as Avro records,
// decoded as the stage runner decodes them, through each stage's processor, and its outputs encoded as the runner
// encodes them (StageEncoder). What is left of a stage's service CPU beyond this is the Kafka client and the runner.
// Best of `--passes`; run it under `node --cpu-prof --import tsx` to see where the time goes.
//   npx tsx bench/stage-cpu.ts [--events 300000] [--seed 42] [--passes 3] [--cache-size 250000]
import { SuppressionList } from '../services/privacy/suppression.ts';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Touchpoint } from '../services/contract/touchpoint.ts';
import { ClaimCache } from '../services/extract/cache.ts';
import { extractProcessor } from '../services/extract/processor.ts';
import { defaultIdentityConfig, IdentityGraph } from '../services/identity/index.ts';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { SCHEMAS, type ClaimRecord } from '../services/kit/records.ts';
import { AvroCodec } from '../services/kit/registry.ts';
import { StageEncoder, type KafkaOut } from '../services/kit/stage/encoder.ts';
import type { InputRecord } from '../services/kit/stage/types.ts';
import { topicNames } from '../services/kit/topics.ts';
import { linkOutputSchemas } from '../services/link/outputs.ts';
import { linkProcessor } from '../services/link/processor.ts';
import { VersionClock } from '../services/link/version-clock.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';

const { values: a } = parseArgs({ options: {
  events: { type: 'string', default: '300000' }, seed: { type: 'string', default: '42' }, passes: { type: 'string', default: '3' },
  'cache-size': { type: 'string', default: '250000' },
} });
const events = Number(a.events), passes = Number(a.passes), cacheSize = Number(a['cache-size']);
const cfg = parseEnv(commonEnv);
const codec = new AvroCodec(cfg.TESSERA_REGISTRY_URL);
const topics = topicNames(`bench.stagecpu.${randomBytes(3).toString('hex')}.`);
const touchpoints = generate({ ...defaultPopulation, people: Math.ceil((events / 24.75) * 1.02), seed: Number(a.seed) }).touchpoints.slice(0, events);
const tpId = await codec.register(SCHEMAS.touchpoint, `${topics.touchpoints}-value`);
const extractEncoder = new StageEncoder(codec, { [topics.claims]: SCHEMAS.claim }, topics.dlq);
await extractEncoder.register();
const linkEncoder = new StageEncoder(codec, linkOutputSchemas(topics), topics.dlq);
await linkEncoder.register();
const wire = touchpoints.map((t) => codec.encode(SCHEMAS.touchpoint, tpId, t));

const cpuUs = () => { const c = process.cpuUsage(); return c.user + c.system; };

interface Parts { decode: number; process: number; encode: number }
async function extractPass(): Promise<{ parts: Parts; claims: { key: Buffer; value: Buffer }[] }> {
  const processor = extractProcessor({ identity: defaultIdentityConfig, claimsTopic: topics.claims });
  const cache = new ClaimCache(cacheSize);
  const parts: Parts = { decode: 0, process: 0, encode: 0 };
  const claims: { key: Buffer; value: Buffer }[] = [];
  for (let i = 0; i < wire.length; i += 2000) {
    const chunk = wire.slice(i, i + 2000);
    let t = cpuUs();
    const decoded = await Promise.all(chunk.map((b) => codec.decode<Touchpoint>(SCHEMAS.touchpoint, b)));
    const records: InputRecord<Touchpoint>[] = decoded.map((d, j) => ({ topic: topics.touchpoints, partition: 0, offset: String(i + j), key: null, value: (d as { value: Touchpoint }).value }));
    parts.decode += cpuUs() - t;
    t = cpuUs();
    const out = processor.process(cache, records);
    parts.process += cpuUs() - t;
    t = cpuUs();
    const msgs = extractEncoder.topicMessages(out.outputs, []);
    parts.encode += cpuUs() - t;
    for (const m of msgs) for (const x of m.messages) claims.push({ key: Buffer.from(x.key as string), value: x.value as Buffer });
  }
  return { parts, claims };
}

async function linkPass(claims: { key: Buffer; value: Buffer }[]): Promise<{ parts: Parts; outputs: Map<string, number> }> {
  const processor = linkProcessor(topics);
  const state = { graph: new IdentityGraph(defaultIdentityConfig), versions: new VersionClock(), suppression: new SuppressionList(Buffer.alloc(0)) };
  const parts: Parts = { decode: 0, process: 0, encode: 0 };
  const outputs = new Map<string, number>();
  for (let i = 0; i < claims.length; i += 5000) {
    const chunk = claims.slice(i, i + 5000);
    let t = cpuUs();
    const decoded = await Promise.all(chunk.map((c) => codec.decode<ClaimRecord>(SCHEMAS.claim, c.value)));
    const records: InputRecord<ClaimRecord>[] = decoded.map((d, j) => ({ topic: topics.claims, partition: 0, offset: String(i + j), key: chunk[j]!.key, value: (d as { value: ClaimRecord }).value }));
    parts.decode += cpuUs() - t;
    t = cpuUs();
    const out = processor.process(state, records);
    parts.process += cpuUs() - t;
    t = cpuUs();
    const msgs = linkEncoder.topicMessages(out.outputs as KafkaOut[], []);
    parts.encode += cpuUs() - t;
    for (const m of msgs) outputs.set(m.topic.slice(topics.claims.length - 'claims'.length), (outputs.get(m.topic.slice(topics.claims.length - 'claims'.length)) ?? 0) + m.messages.length);
  }
  return { parts, outputs };
}

const per = (p: Parts, n: number) => Object.fromEntries([...Object.entries(p), ['total', p.decode + p.process + p.encode]].map(([k, v]) => [k, Math.round(((v as number) / n) * 10) / 10]));
let best: { extract: Record<string, number>; link: Record<string, number>; linkPerClaim: Record<string, number>; claims: number; outputs: Record<string, number> } | null = null;
for (let pass = 0; pass < passes; pass++) {
  const x = await extractPass();
  const l = await linkPass(x.claims);
  const r = { extract: per(x.parts, touchpoints.length), link: per(l.parts, touchpoints.length), linkPerClaim: per(l.parts, x.claims.length), claims: x.claims.length, outputs: Object.fromEntries(l.outputs) };
  console.log(JSON.stringify({ pass, ...r }));
  if (!best || r.extract.total! + r.link.total! < best.extract.total! + best.link.total!) best = r;
}
console.log(JSON.stringify({ command: `npx tsx bench/stage-cpu.ts ${process.argv.slice(2).join(' ')}`.trim(), events: touchpoints.length, cpuUsPerEvent: best }, null, 1));
