// `tessera export email:ana@acme.io`: everything held about the person, as JSON; the request and its audit go to Kafka.
import { createClickHouse } from '../kit/clickhouse.ts';
import { configOrExit } from '../kit/config.ts';
import { describe } from '../kit/errors.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { commandLine, UsageError } from '../tools/cli.ts';
import { endOfOutput, quietOnBrokenPipe } from '../tools/output.ts';
import { parsePrivacyCliConfig } from './cli-config.ts';
import { exportCommand } from './commands.ts';
import { runExport } from './export-run.ts';
import { normaliseSubject, parseSubject } from './subject.ts';

const args = commandLine(exportCommand, ({ positionals, values }) => {
  const p = parseSubject(positionals[0]!);
  if (!p.ok) throw new UsageError(`${p.code}: ${p.reason}`);
  return { ...p, by: values.by ?? process.env.USER ?? 'operator' };
});
const cfg = configOrExit('export', () => parsePrivacyCliConfig());
quietOnBrokenPipe(process.stdout);
const subject = normaliseSubject(args.type, args.value, cfg.identity);
if (!subject.ok) {
  process.stderr.write(`tessera export: ${subject.code}: ${subject.reason}\n`);
  await endOfOutput(process.stdout, 2);
}
const id = subject.ok ? subject.identifier : { type: '', value: '' };

const log = createLogger('export', 'warn');
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, 'tessera-export', log);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD });
const kit = { kafka, codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL), topics: topicNames(cfg.TESSERA_TOPIC_PREFIX) };
try {
  const { requestId, found, ...doc } = await runExport({ ...kit, ch, database: cfg.TESSERA_CLICKHOUSE_DATABASE, key: cfg.privacyKey }, id, args.by);
  process.stdout.write(`${JSON.stringify({ requestId, found, ...doc }, null, 2)}\n`);
  if (!found) process.stderr.write(`tessera export: TSR_PRIVACY_UNKNOWN_IDENTIFIER: nothing is held about ${id.type}:…\n`);
  await ch.close();
  await endOfOutput(process.stdout, found ? 0 : 3);
} catch (err) {
  process.stderr.write(`tessera export: ${describe(err)}\n`);
  await endOfOutput(process.stdout, 1);
}
