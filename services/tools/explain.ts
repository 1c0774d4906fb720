// `npx tsx services/tools/explain.ts email:ana@acme.io device_id:ABC…`: why do two identifiers share a profile?
// Rebuilds the identity graph from the changelog topic (what the resolver committed) and prints the chain of
// links — each with the event (messageId) and time that made it.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { configOrExit } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { parseResolverConfig } from '../resolver/config.ts';
import { IdentityGraph, normaliseIdentifier, type Identifier } from '../identity/index.ts';
import { readChangelog } from '../resolver/restore.ts';

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
if (positionals.length !== 2) {
  console.error('usage: explain.ts TYPE:VALUE TYPE:VALUE   e.g. explain.ts email:ana@acme.io user_id:usr_42');
  process.exit(2);
}
const cfg = configOrExit('explain', () => parseResolverConfig());
const parse = (arg: string): Identifier => {
  const i = arg.indexOf(':');
  if (i <= 0) { console.error(`"${arg}" is not TYPE:VALUE`); process.exit(2); }
  const n = normaliseIdentifier(arg.slice(0, i), arg.slice(i + 1), cfg.identity);
  if (!n.ok) { console.error(`${arg}: ${n.dropped.reason}`); process.exit(2); }
  return n.identifier;
};
const [a, b] = positionals.map(parse) as [Identifier, Identifier];
const log = createLogger('explain', 'warn');
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, 'tessera-explain', log);
const records = await readChangelog({
  kafka, codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL), log,
  topic: topicNames(cfg.TESSERA_TOPIC_PREFIX).changelog, groupId: `tessera-explain-${randomBytes(4).toString('hex')}`,
});
const graph = IdentityGraph.restore(records, cfg.identity);
const show = (id: Identifier) => `${id.type}:${id.value}`;
const pa = graph.profileOf(a);
const pb = graph.profileOf(b);
console.log(`${show(a)} → ${pa ?? 'not linked to any profile'}`);
console.log(`${show(b)} → ${pb ?? 'not linked to any profile'}`);
const chain = graph.explain(a, b);
if (!chain) {
  console.log('They are not in one profile.');
  process.exit(1);
}
console.log(`\nLinked in ${pa} by ${chain.length} link(s):`);
for (const l of chain) console.log(`  ${new Date(l.eventTime).toISOString()}  event ${l.messageId}  linked ${show(l.identifier)}`);
