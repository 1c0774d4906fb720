// `tessera import --mapping m.json --file contacts.csv [--format csv|ndjson] [--dry-run] [--list N]`: a file in, touchpoints out.
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { extname } from 'node:path';
import { consentCategoriesEnv } from '../contract/consent.ts';
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
import { DEFAULT_MAX_ROW_BYTES, type Format } from './reader.ts';
import { runImport, type Summary } from './run.ts';
import { commandLine, intOption, UsageError } from '../tools/cli.ts';
import { importCommand } from '../tools/commands.ts';

/** Fatal errors end with exit code 2 (bad invocation or mapping) or 1 (infrastructure); rejected rows do not. */
function fatal(message: string, code = 1): never {
  process.stderr.write(`tessera import: ${message}\n`);
  process.exit(code);
}

const args = commandLine(importCommand, ({ values }) => {
  const file = values.file!;
  const format = values.format ?? ({ '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson' } as Record<string, string>)[extname(file).toLowerCase()];
  if (format !== 'csv' && format !== 'ndjson') {
    throw new UsageError(values.format ? `--format takes csv or ndjson, got ${JSON.stringify(values.format)}` : `cannot tell the format of ${file}: pass --format csv or --format ndjson`);
  }
  return { mapping: values.mapping!, file, format: format as Format, dryRun: values['dry-run'], list: intOption('list', values.list) };
});

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
    ...consentCategoriesEnv,
    // At most half the 8 MB max.message.bytes of the topics Tessera creates.
    TESSERA_IMPORT_MAX_ROW_BYTES: z.coerce.number().int().min(1024).max(4 << 20).default(DEFAULT_MAX_ROW_BYTES),
    ...topicLayoutEnv,
  });
} catch (err) {
  fatal(describe(err), 2);
}

const dryRun = args.dryRun;
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
    file: args.file, format: args.format, mapping: parsed.mapping, encode, clock: Date.now,
    maxFutureMs: env.TESSERA_COLLECTOR_MAX_FUTURE_MS, consentCategories: env.TESSERA_CONSENT_CATEGORIES, batchSize: env.TESSERA_IMPORT_BATCH_SIZE, maxRowBytes: env.TESSERA_IMPORT_MAX_ROW_BYTES,
    maxInflightBatches: env.TESSERA_IMPORT_MAX_INFLIGHT_BATCHES, reportPath: `${args.file}.rejected.ndjson`, listRejected: args.list,
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
