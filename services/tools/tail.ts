// `tessera tail TOPIC [--max N] [--follow]`: prints a Tessera topic's records as JSON lines, decoded from Avro
// through the schema registry (read_committed: only what transactions committed).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { commonEnv, configOrExit, parseEnv } from '../kit/config.ts';
import { describe } from '../kit/errors.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { SCHEMAS } from '../kit/records.ts';
import { AvroCodec } from '../kit/registry.ts';
import { commandLine, intOption, UsageError } from './cli.ts';
import { tailCommand } from './commands.ts';
import { endOfOutput, quietOnBrokenPipe } from './output.ts';

const suffixes: [string, string][] = [
  ['touchpoints.dlq', SCHEMAS.deadLetter], ['touchpoints', SCHEMAS.touchpoint], ['events.resolved', SCHEMAS.resolved],
  ['profiles', SCHEMAS.profile], ['identity.merges', SCHEMAS.identityChange], ['identity.changelog', SCHEMAS.claim],
  ['segments.membership', 'segment-membership'], ['recommendations', 'recommendations'],
];

const args = commandLine(tailCommand, ({ values, positionals }) => {
  const topic = positionals[0]!;
  const schema = suffixes.find(([s]) => topic.endsWith(s))?.[1];
  if (!schema) throw new UsageError(`${topic} is not a Tessera topic (expected a name ending in ${suffixes.map(([s]) => s).join(', ')})`);
  return { topic, schema, max: values.max === undefined ? Number.POSITIVE_INFINITY : intOption('max', values.max, 1), follow: values.follow };
});
const cfg = configOrExit('tail', () => parseEnv(commonEnv));
// `tail … | head` closes the pipe early: that is the reader being done, not an error.
quietOnBrokenPipe(process.stdout);

const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, 'tessera-tail', createLogger('tail', 'error'));
const codec = new AvroCodec(cfg.TESSERA_REGISTRY_URL);
const consumer = kafka.consumer({ groupId: `tessera-tail-${randomBytes(4).toString('hex')}` });
let finishing: Promise<never> | null = null;

/** Leaves the group, waits until every line written reached the reader, then exits. */
const finish = (code: number, message?: string): Promise<never> => (finishing ??= (async () => {
  await consumer.disconnect().catch(() => undefined);
  if (message) process.stderr.write(`tessera tail: ${message}\n`);
  return endOfOutput(process.stdout, code);
})());

const bufferJson = (_k: string, v: unknown) => (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' ? Buffer.from((v as { data: number[] }).data).toString('base64') : v);

try {
  const admin = kafka.admin();
  await admin.connect();
  // kafkajs retries a missing topic for a minute; say so at once instead.
  const exists = (await admin.listTopics().catch(async (err: unknown) => { await admin.disconnect(); throw err; })).includes(args.topic);
  if (!exists) {
    await admin.disconnect();
    await finish(1, `topic ${args.topic} does not exist on ${cfg.TESSERA_KAFKA_BROKERS.join(',')} (give the whole name, prefix included, e.g. tessera.profiles)`);
  }
  const ends = await admin.fetchTopicOffsets(args.topic).finally(() => admin.disconnect());
  // Partitions still to read to their end offset as of now (without --follow the command stops there).
  const pending = new Set(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => p.partition));
  let printed = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [args.topic], fromBeginning: true });
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const end = ends.find((p) => p.partition === e.payload.partition);
    if (end && BigInt(e.payload.lastOffset) >= BigInt(end.high) - 1n) pending.delete(e.payload.partition);
    if (!args.follow && pending.size === 0) void finish(0);
  });
  consumer.on(consumer.events.CRASH, (e) => { void finish(1, describe(e.payload.error)); });
  if (!args.follow && pending.size === 0) await finish(0);
  await consumer.run({
    autoCommit: false, // a look at the topic, not a consumer of it
    eachMessage: async ({ partition, message }) => {
      if (finishing) return;
      const d = message.value ? await codec.decode(args.schema, message.value) : null;
      const value = d === null ? null : d.ok ? d.value : { undecodable: d.reason };
      const line = `${JSON.stringify({ partition, offset: message.offset, key: message.key?.toString() ?? null, value }, bufferJson)}\n`;
      // Wait for a slow reader instead of buffering the topic in memory.
      if (!process.stdout.write(line)) await once(process.stdout, 'drain');
      printed += 1;
      // Not awaited here: disconnecting waits for this very handler to return.
      if (printed >= args.max) void finish(0);
    },
  });
} catch (err) {
  await finish(1, describe(err));
}
