// `tessera export email:ana@acme.io`: everything held about the person, as JSON; the request and its audit go to Kafka.
import { createClickHouse } from '../kit/clickhouse.ts';
import { configOrExit } from '../kit/config.ts';
import { describe } from '../kit/errors.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { select } from '../kit/clickhouse.ts';
import { str } from '../kit/sql.ts';
import { topicNames } from '../kit/topics.ts';
import { commandLine, UsageError } from '../tools/cli.ts';
import { endOfOutput, quietOnBrokenPipe } from '../tools/output.ts';
import { parsePrivacyCliConfig } from './cli-config.ts';
import { exportCommand } from './commands.ts';
import { exportSubject } from './export.ts';
import { normaliseSubject, parseSubject } from './subject.ts';
import { newRequest, publishAudit, writeRequest } from './submit.ts';
import { SuppressionList } from './suppression.ts';

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
  const request = newRequest('export', args.type, args.value, args.by);
  await writeRequest(kit, request);
  const db = cfg.TESSERA_CLICKHOUSE_DATABASE;
  // Current consent per profile (the consent work's view, migration 035), when the database has it.
  const consent = (await select<{ name: string }>(ch, `SELECT name FROM system.tables WHERE database = ${str(db)} AND name = 'profile_consent'`)).length > 0 ? 'profile_consent' : null;
  const doc = await exportSubject(ch, db, id, consent);
  const found = doc.profileId !== null || doc.events.length > 0;
  await publishAudit(kit, {
    requestId: request.requestId, kind: 'export', step: 'export', outcome: found ? 'exported' : 'unknown', code: found ? null : 'TSR_PRIVACY_UNKNOWN_IDENTIFIER',
    final: true, hash: new SuppressionList(cfg.privacyKey).hashOf(id), identifierType: id.type, requestedBy: args.by, requestedAt: request.requestedAt,
    reason: found ? 'exported' : 'nothing is held about this identifier',
    counts: { identifiers: doc.identifiers.length, traits: doc.traits.length, events: doc.events.length },
  });
  process.stdout.write(`${JSON.stringify({ requestId: request.requestId, found, ...doc }, null, 2)}\n`);
  if (!found) process.stderr.write(`tessera export: TSR_PRIVACY_UNKNOWN_IDENTIFIER: nothing is held about ${id.type}:…\n`);
  await ch.close();
  await endOfOutput(process.stdout, found ? 0 : 3);
} catch (err) {
  process.stderr.write(`tessera export: ${describe(err)}\n`);
  await endOfOutput(process.stdout, 1);
}
