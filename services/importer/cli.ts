// `tessera import`: npx tsx services/importer/cli.ts --mapping m.json --file contacts.csv [--format csv|ndjson] [--dry-run]
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { avroType } from '../kit/avro.ts';
import { commonEnv, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { describe, TesseraError } from '../kit/errors.ts';
import { createKafka, createMissingTopics, idempotentProducer } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { SCHEMAS } from '../kit/records.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { parseMapping } from './mapping.ts';
import { progressBar } from './progress.ts';
import type { Format } from './reader.ts';
import { runImport, type Summary } from './run.ts';

const USAGE = `usage: npx tsx services/importer/cli.ts --mapping <mapping.json> --file <data.csv|data.ndjson> [--format csv|ndjson] [--dry-run] [--list <n>]
  --mapping  the JSON mapping of columns to touchpoint fields (docs/import.md)
  --file     the CSV (header row) or NDJSON file to import, read as a stream
  --format   csv or ndjson; default from the file extension (.csv, .ndjson/.jsonl)
  --dry-run  validate every row and write the rejection report, produce nothing
  --list     how many rejections to print in the summary (default 20; all are in <file>.rejected.ndjson)
Environment: TESSERA_KAFKA_BROKERS, TESSERA_REGISTRY_URL, TESSERA_TOPIC_PREFIX, TESSERA_IMPORT_BATCH_SIZE (500),
TESSERA_IMPORT_MAX_INFLIGHT_BATCHES (4), TESSERA_IMPORT_PRODUCE_TIMEOUT_MS (60000), TESSERA_COLLECTOR_MAX_FUTURE_MS (86400000),
TESSERA_PARTITIONS / TESSERA_REPLICATION_FACTOR (6 / 1, for topics the import creates when missing).`;

/** Fatal errors end with exit code 2 (bad invocation or mapping) or 1 (infrastructure); rejected rows do not. */
function fatal(message: string, code = 1): never {
  process.stderr.write(`import failed: ${message}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({
    options: {
      mapping: { type: 'string' }, file: { type: 'string' }, format: { type: 'string' },
      'dry-run': { type: 'boolean', default: false }, list: { type: 'string', default: '20' }, help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (err) {
  fatal(`${(err as Error).message}\n${USAGE}`, 2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!args.mapping || !args.file) fatal(`--mapping and --file are required\n${USAGE}`, 2);
const format = (args.format ?? ({ '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson' } as Record<string, string>)[extname(args.file).toLowerCase()]) as Format | undefined;
if (format !== 'csv' && format !== 'ndjson') fatal(`cannot tell the format of ${args.file}: pass --format csv or --format ndjson`, 2);
const list = Number(args.list);
if (!Number.isInteger(list) || list < 0) fatal('--list takes a whole number', 2);

let totalBytes: number;
let mappingText: string;
try {
  totalBytes = statSync(args.file).size;
  mappingText = readFileSync(args.mapping, 'utf8');
} catch (err) {
  fatal(describe(err), 2);
}
const parsed = parseMapping(mappingText);
if (!parsed.ok) fatal(`invalid mapping ${args.mapping}:\n  - ${parsed.problems.join('\n  - ')}`, 2);

let env;
try {
  env = parseEnv({
    ...commonEnv,
    TESSERA_IMPORT_BATCH_SIZE: intFromEnv(500, 1),
    TESSERA_IMPORT_MAX_INFLIGHT_BATCHES: intFromEnv(4, 1),
    TESSERA_IMPORT_PRODUCE_TIMEOUT_MS: intFromEnv(60_000, 1_000),
    TESSERA_COLLECTOR_MAX_FUTURE_MS: intFromEnv(24 * 3_600_000, 0),
  ...topicLayoutEnv,
  });
} catch (err) {
  fatal(describe(err), 2);
}

const dryRun = args['dry-run'];
const log = createLogger('importer', env.TESSERA_LOG_LEVEL === 'info' ? 'warn' : env.TESSERA_LOG_LEVEL);
const topics = topicNames(env.TESSERA_TOPIC_PREFIX);
const kafka = dryRun ? null : createKafka(env.TESSERA_KAFKA_BROKERS, env.TESSERA_KAFKA_CLIENT_ID ?? 'tessera-importer', log);
const producer = kafka ? idempotentProducer(kafka) : null;
const bar = progressBar(totalBytes);

let summary: Summary;
try {
  let encode: (t: Touchpoint) => Buffer = (t) => avroType(SCHEMAS.touchpoint).toBuffer(t);
  if (producer && kafka) {
    // Kafka does not create topics on first produce here; a missing topic would stall every produce.
    await createMissingTopics(kafka, topics, { partitions: env.TESSERA_PARTITIONS, replicationFactor: env.TESSERA_REPLICATION_FACTOR });
    const codec = new AvroCodec(env.TESSERA_REGISTRY_URL);
    const schemaId = await codec.register(SCHEMAS.touchpoint, `${topics.touchpoints}-value`);
    encode = (t) => codec.encode(SCHEMAS.touchpoint, schemaId, t);
    await producer.connect();
  }
  const timeoutMs = env.TESSERA_IMPORT_PRODUCE_TIMEOUT_MS;
  summary = await runImport({
    file: args.file, format, mapping: parsed.mapping, encode, clock: Date.now,
    maxFutureMs: env.TESSERA_COLLECTOR_MAX_FUTURE_MS, batchSize: env.TESSERA_IMPORT_BATCH_SIZE,
    maxInflightBatches: env.TESSERA_IMPORT_MAX_INFLIGHT_BATCHES, reportPath: `${args.file}.rejected.ndjson`, listRejected: list,
    produce: producer
      ? async (messages) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no acknowledgement within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          await Promise.race([producer.send({ topic: topics.touchpoints, acks: -1, messages }), timeout]);
        } finally {
          clearTimeout(timer);
        }
      }
      : null,
    onProgress: (p) => bar.update(p),
  });
  bar.done(summary);
} catch (err) {
  await producer?.disconnect().catch(() => undefined);
  fatal(err instanceof TesseraError ? `${err.code}: ${err.message}` : describe(err), err instanceof TesseraError && !err.retriable ? 2 : 1);
}
await producer?.disconnect();

const lines = [
  `${dryRun ? 'dry run (nothing produced): ' : ''}${summary.rows} rows read from ${args.file}: ${summary.accepted} ${dryRun ? 'valid' : `accepted (acknowledged on ${topics.touchpoints})`}, ${summary.rejected} rejected`,
  ...summary.firstRejections.map((r) => `  line ${r.line}${r.messageId ? ` (${r.messageId})` : ''}: ${r.problems.join('; ')}`),
  ...(summary.rejected > summary.firstRejections.length ? [`  … and ${summary.rejected - summary.firstRejections.length} more`] : []),
  ...(summary.reportPath ? [`every rejected row, with its line number and reasons: ${summary.reportPath}`] : []),
];
process.stdout.write(`${lines.join('\n')}\n`);
