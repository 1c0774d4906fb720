// `tessera explain email:ana@acme.io device_id:ABC…`: why do two identifiers share a profile?
// Rebuilds the identity graph from the changelog topic (what the link stage committed) and prints the chain of
// links — each with the event (messageId) and time that made it.
import { randomBytes } from 'node:crypto';
import { configOrExit } from '../kit/config.ts';
import { describe } from '../kit/errors.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { parseLinkConfig } from '../link/config.ts';
import { IdentityGraph, normaliseIdentifier, type Identifier } from '../identity/index.ts';
import { readChangelog } from '../kit/changelog-reader.ts';
import { commandLine, UsageError } from './cli.ts';
import { explainCommand } from './commands.ts';
import { endOfOutput, quietOnBrokenPipe } from './output.ts';

const raw = commandLine(explainCommand, ({ positionals }) => positionals.map((arg) => {
  const i = arg.indexOf(':');
  if (i <= 0) throw new UsageError(`"${arg}" is not TYPE:VALUE`);
  return { type: arg.slice(0, i), value: arg.slice(i + 1), arg };
}));
const cfg = configOrExit('explain', () => parseLinkConfig());
quietOnBrokenPipe(process.stdout);
const fail = (message: string, code: number): Promise<never> => {
  process.stderr.write(`tessera explain: ${message}\n`);
  return endOfOutput(process.stdout, code);
};

const normalised = raw.map(({ type, value, arg }) => ({ arg, n: normaliseIdentifier(type, value, cfg.identity) }));
for (const { arg, n } of normalised) {
  // A blocked or invalid value is never linked to anything: no changelog can say otherwise.
  if (!n.ok) await fail(`${arg} is never linked: ${n.dropped.reason}`, 2);
}
const [a, b] = normalised.map(({ n }) => (n.ok ? n.identifier : null)) as [Identifier, Identifier];

const log = createLogger('explain', 'warn');
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, 'tessera-explain', log);
const topic = topicNames(cfg.TESSERA_TOPIC_PREFIX).changelog;
try {
  const admin = kafka.admin();
  await admin.connect();
  const exists = await admin.listTopics().then((ts) => ts.includes(topic)).finally(() => admin.disconnect());
  if (!exists) await fail(`topic ${topic} does not exist: nothing was resolved with TESSERA_TOPIC_PREFIX=${cfg.TESSERA_TOPIC_PREFIX} yet`, 1);
  const records = await readChangelog({
    kafka, codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL), log, topic, groupId: `tessera-explain-${randomBytes(4).toString('hex')}`,
  });
  const graph = IdentityGraph.restore(records, cfg.identity);
  const show = (id: Identifier) => `${id.type}:${id.value}`;
  const pa = graph.profileOf(a);
  const pb = graph.profileOf(b);
  const lines = [`${show(a)} → ${pa ?? 'not linked to any profile'}`, `${show(b)} → ${pb ?? 'not linked to any profile'}`];
  const chain = graph.explain(a, b);
  if (chain) {
    lines.push('', `Linked in ${pa} by ${chain.length} link(s):`);
    for (const l of chain) lines.push(`  ${new Date(l.eventTime).toISOString()}  event ${l.messageId}  linked ${show(l.identifier)}`);
  } else {
    lines.push('They are not in one profile.');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  await endOfOutput(process.stdout, chain ? 0 : 1);
} catch (err) {
  await fail(describe(err), 1);
}
