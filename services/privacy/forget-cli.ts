// `tessera forget email:ana@acme.io`: an erasure request through privacy.requests, answered from privacy.audit.
import { configOrExit } from '../kit/config.ts';
import { errorSpec, type ErrorCode } from '../kit/error-catalog.ts';
import { describe } from '../kit/errors.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { commandLine, intOption, UsageError } from '../tools/cli.ts';
import { endOfOutput, quietOnBrokenPipe } from '../tools/output.ts';
import { parsePrivacyCliConfig } from './cli-config.ts';
import { forgetCommand } from './commands.ts';
import { normaliseSubject, parseSubject } from './subject.ts';
import { newRequest, submit } from './submit.ts';

const args = commandLine(forgetCommand, ({ positionals, values }) => {
  const p = parseSubject(positionals[0]!);
  if (!p.ok) throw new UsageError(`${p.code}: ${p.reason}`);
  const requestId = values['request-id'];
  if (requestId !== undefined && (requestId.trim() === '' || requestId.length > 200)) throw new UsageError('--request-id takes 1 to 200 characters');
  return { ...p, requestId, by: values.by ?? process.env.USER ?? 'operator', timeoutMs: intOption('timeout', values.timeout, 1, 86_400) * 1000 };
});
const cfg = configOrExit('forget', () => parsePrivacyCliConfig());
quietOnBrokenPipe(process.stdout);
const say = (o: object, code: number) => { process.stdout.write(`${JSON.stringify(o)}\n`); return endOfOutput(process.stdout, code); };

// Refused here without writing anything: a request the link stage would refuse need not sit in Kafka.
const subject = normaliseSubject(args.type, args.value, cfg.identity);
if (!subject.ok) {
  process.stderr.write(`tessera forget: ${subject.code}: ${subject.reason}; nothing was written\n`);
  await endOfOutput(process.stdout, 2);
}

const log = createLogger('forget', 'warn');
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, 'tessera-forget', log);
try {
  const request = newRequest('erase', args.type, args.value, args.by, args.requestId);
  const answer = await submit({ kafka, codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL), topics: topicNames(cfg.TESSERA_TOPIC_PREFIX), log, timeoutMs: args.timeoutMs }, request);
  if (!answer.final) {
    const code: ErrorCode = 'TSR_PRIVACY_PENDING';
    await say({ requestId: answer.requestId, outcome: 'pending', code, reason: errorSpec(code).meaning, steps: answer.steps.map((s) => s.step) }, 4);
  } else {
    const a = answer.audit;
    await say({ requestId: a.requestId, outcome: a.outcome, code: a.code, reason: a.reason, identifierHash: a.hash, counts: a.counts }, a.outcome === 'erased' ? 0 : 3);
  }
} catch (err) {
  process.stderr.write(`tessera forget: ${describe(err)}\n`);
  await endOfOutput(process.stdout, 1);
}
