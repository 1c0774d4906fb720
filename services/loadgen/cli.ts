// `npx tsx services/loadgen/cli.ts`: generates a seeded population and produces its touchpoints to Kafka;
// the ground truth (messageId → person) goes to a separate file, never into the events.
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { commonEnv, parseEnv } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { defaultPopulation, generate } from './population.ts';
import { malformedRecords, produceTouchpoints } from './produce.ts';
import { progressLine } from './progress.ts';

const { values: a } = parseArgs({
  options: {
    people: { type: 'string', default: String(defaultPopulation.people) },
    sessions: { type: 'string', default: String(defaultPopulation.sessions) },
    seed: { type: 'string', default: String(defaultPopulation.seed) },
    rate: { type: 'string', default: '0' },
    'max-devices': { type: 'string', default: String(defaultPopulation.maxDevices) },
    'shared-devices': { type: 'string', default: String(defaultPopulation.sharedDeviceRate) },
    'shared-emails': { type: 'string', default: String(defaultPopulation.sharedEmailRate) },
    placeholders: { type: 'string', default: String(defaultPopulation.placeholderRate) },
    'cookie-churn': { type: 'string', default: String(defaultPopulation.cookieChurnRate) },
    registered: { type: 'string', default: String(defaultPopulation.registeredRate) },
    truth: { type: 'string', default: 'ground-truth.csv' },
    malformed: { type: 'boolean', default: true },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log(`usage: loadgen [--people N] [--sessions N] [--seed N] [--rate events/s, 0 = max] [--truth file.csv] [--no-malformed]
               [--max-devices 1..6] [--shared-devices rate] [--shared-emails rate] [--placeholders rate]
               [--cookie-churn rate] [--registered rate]      (rates are 0..1; defaults: generator defaults)`);
  process.exit(0);
}
const num = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) { console.error(`--${name} must be a non-negative number, got ${v}`); process.exit(2); }
  return n;
};
const cfg = parseEnv(commonEnv);
const log = createLogger('loadgen', cfg.TESSERA_LOG_LEVEL);
const rate = (name: string, v: string | undefined) => {
  const n = num(name, v);
  if (n > 1) { console.error(`--${name} is a rate between 0 and 1, got ${v}`); process.exit(2); }
  return n;
};
const maxDevices = num('max-devices', a['max-devices']);
if (!Number.isInteger(maxDevices) || maxDevices < 1 || maxDevices > 6) { console.error(`--max-devices must be 1..6, got ${a['max-devices']}`); process.exit(2); }
const g = generate({
  ...defaultPopulation, people: num('people', a.people), sessions: num('sessions', a.sessions), seed: num('seed', a.seed), maxDevices,
  sharedDeviceRate: rate('shared-devices', a['shared-devices']), sharedEmailRate: rate('shared-emails', a['shared-emails']),
  placeholderRate: rate('placeholders', a.placeholders), cookieChurnRate: rate('cookie-churn', a['cookie-churn']), registeredRate: rate('registered', a.registered),
});
const truth = createWriteStream(a.truth!);
truth.write('message_id,person_id\n');
for (const [m, p] of g.truth) truth.write(`${m},${p}\n`);
truth.end();
const result = await produceTouchpoints({
  kafka: createKafka(cfg.TESSERA_KAFKA_BROKERS, 'tessera-loadgen', log),
  codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL),
  topic: topicNames(cfg.TESSERA_TOPIC_PREFIX).touchpoints,
  touchpoints: g.touchpoints,
  total: g.touchpoints.length,
  rate: num('rate', a.rate),
  malformed: a.malformed ? malformedRecords() : [],
  onProgress: (sent, total, ms) => process.stderr.write(`\r${progressLine('producing', sent, total, ms)}`),
});
process.stderr.write('\n');
log.info({ sent: result.sent, seconds: +(result.ms / 1000).toFixed(1), eventsPerSecond: Math.round(result.sent / (result.ms / 1000)), truth: a.truth }, 'touchpoints produced');
