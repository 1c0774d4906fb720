// `npx tsx services/tools/tail.ts TOPIC [--max N] [--follow]`: prints a Tessera topic's records as JSON lines,
// decoded from Avro through the schema registry (read_committed: only what transactions committed).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { commonEnv, parseEnv } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { SCHEMAS } from '../kit/records.ts';
import { AvroCodec } from '../kit/registry.ts';

const { values: a, positionals } = parseArgs({ allowPositionals: true, options: { max: { type: 'string' }, follow: { type: 'boolean', default: false } } });
const topic = positionals[0];
if (!topic) {
  console.error('usage: tail.ts TOPIC [--max N] [--follow]   e.g. tail.ts tessera.profiles --max 5');
  process.exit(2);
}
const suffixes: [string, string][] = [
  ['touchpoints.dlq', SCHEMAS.deadLetter], ['touchpoints', SCHEMAS.touchpoint], ['events.resolved', SCHEMAS.resolved],
  ['profiles', SCHEMAS.profile], ['identity.merges', SCHEMAS.identityChange], ['identity.changelog', SCHEMAS.claim],
  ['segments.membership', 'segment-membership'], ['recommendations', 'recommendations'],
];
const schema = suffixes.find(([s]) => topic.endsWith(s))?.[1];
if (!schema) {
  console.error(`${topic} is not a Tessera topic (expected a name ending in ${suffixes.map(([s]) => s).join(', ')})`);
  process.exit(2);
}
const cfg = parseEnv(commonEnv);
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, 'tessera-tail', createLogger('tail', 'error'));
const codec = new AvroCodec(cfg.TESSERA_REGISTRY_URL);
const max = a.max ? Number(a.max) : Number.POSITIVE_INFINITY;
const admin = kafka.admin();
await admin.connect();
const ends = await admin.fetchTopicOffsets(topic);
await admin.disconnect();
const pending = new Set(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => p.partition));
const consumer = kafka.consumer({ groupId: `tessera-tail-${randomBytes(4).toString('hex')}` });
let printed = 0;
const finish = async () => { await consumer.disconnect(); process.exit(0); };
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
  const end = ends.find((p) => p.partition === e.payload.partition);
  if (end && BigInt(e.payload.lastOffset) >= BigInt(end.high) - 1n) pending.delete(e.payload.partition);
  if (!a.follow && pending.size === 0) void finish();
});
if (!a.follow && pending.size === 0) await finish();
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    if (printed >= max) return finish();
    const d = message.value ? await codec.decode(schema, message.value) : null;
    const value = d === null ? null : d.ok ? d.value : { undecodable: d.reason };
    const replacer = (_k: string, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('base64') : v);
    process.stdout.write(`${JSON.stringify({ partition, offset: message.offset, key: message.key?.toString() ?? null, value }, replacer)}\n`);
    printed += 1;
  },
});
