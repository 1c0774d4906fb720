// `tessera loadgen`: generates a seeded population and produces its touchpoints to Kafka;
// the ground truth (messageId → person) goes to a separate file, never into the events.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { commonEnv, configOrExit, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { describe } from '../kit/errors.ts';
import { createKafka, createMissingTopics } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { commandLine, intOption, numberOption } from '../tools/cli.ts';
import { loadgenCommand } from '../tools/commands.ts';
import { defaultPopulation as pop, generate } from './population.ts';
import { malformedRecords, produceTouchpoints } from './produce.ts';
import { progressLine } from './progress.ts';

const o = commandLine(loadgenCommand, ({ values: v }) => {
  const int = (name: keyof typeof v & string, def: number, min = 0, max?: number) => (v[name] === undefined ? def : intOption(name, v[name] as string, min, max));
  const rate = (name: keyof typeof v & string, def: number) => (v[name] === undefined ? def : numberOption(name, v[name] as string, 0, 1));
  return {
    population: {
      ...pop,
      people: int('people', pop.people, 1), sessions: v.sessions === undefined ? pop.sessions : numberOption('sessions', v.sessions, 0), seed: int('seed', pop.seed),
      maxDevices: int('max-devices', pop.maxDevices, 1, 6),
      sharedDeviceRate: rate('shared-devices', pop.sharedDeviceRate), sharedEmailRate: rate('shared-emails', pop.sharedEmailRate),
      placeholderRate: rate('placeholders', pop.placeholderRate), cookieChurnRate: rate('cookie-churn', pop.cookieChurnRate),
      registeredRate: rate('registered', pop.registeredRate),
    },
    rate: v.rate === undefined ? 0 : numberOption('rate', v.rate, 0),
    truth: v.truth ?? 'ground-truth.csv',
    malformed: v.malformed,
  };
});
const cfg = configOrExit('loadgen', () => parseEnv({ ...commonEnv, ...topicLayoutEnv }));
const log = createLogger('loadgen', cfg.TESSERA_LOG_LEVEL);

// A terminal gets the line redrawn in place; a pipe or a CI log a plain line every 5 s.
const tty = Boolean(process.stderr.isTTY);
let lastProgress = 0;
const onProgress = (sent: number, total: number, ms: number) => {
  if (!tty && ms - lastProgress < 5_000 && sent < total) return;
  lastProgress = ms;
  process.stderr.write(tty ? `\r${progressLine('producing', sent, total, ms)}` : `${progressLine('producing', sent, total, ms)}\n`);
};

try {
  const g = generate(o.population);
  const truth = createWriteStream(o.truth);
  truth.write('message_id,person_id\n');
  for (const [m, p] of g.truth) if (!truth.write(`${m},${p}\n`)) await once(truth, 'drain');
  truth.end();
  await once(truth, 'finish');
  const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, cfg.TESSERA_KAFKA_CLIENT_ID ?? 'tessera-loadgen', log);
  const topics = topicNames(cfg.TESSERA_TOPIC_PREFIX);
  // Kafka does not create topics on first produce here; a missing topic would stall every produce.
  await createMissingTopics(kafka, topics, { partitions: cfg.TESSERA_PARTITIONS, replicationFactor: cfg.TESSERA_REPLICATION_FACTOR });
  const result = await produceTouchpoints({
    kafka, codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL), topic: topics.touchpoints,
    touchpoints: g.touchpoints, total: g.touchpoints.length, rate: o.rate,
    malformed: o.malformed ? malformedRecords() : [], onProgress,
  });
  if (tty) process.stderr.write('\n');
  log.info({ sent: result.sent, seconds: +(result.ms / 1000).toFixed(1), eventsPerSecond: Math.round(result.sent / (result.ms / 1000)), truth: o.truth }, 'touchpoints produced');
} catch (err) {
  log.fatal({ err }, `loadgen failed: ${describe(err)}`);
  process.exitCode = 1;
}
