// Resolver service entry point: parse config, build adapters, run the loop, stop on signals.
import { configOrExit } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { onShutdown, Ops } from '../kit/ops.ts';
import { AvroCodec } from '../kit/registry.ts';
import { parseResolverConfig } from './config.ts';
import { resolverMetrics } from './metrics.ts';
import { Resolver } from './resolver.ts';

const config = configOrExit('resolver', () => parseResolverConfig());
const log = createLogger('resolver', config.TESSERA_LOG_LEVEL);
const ops = new Ops('resolver');
const resolver = new Resolver({
  config,
  kafka: createKafka(config.TESSERA_KAFKA_BROKERS, config.TESSERA_KAFKA_CLIENT_ID ?? `tessera-resolver-${config.TESSERA_RESOLVER_INSTANCE}`, log),
  codec: new AvroCodec(config.TESSERA_REGISTRY_URL),
  log,
  ops,
  metrics: resolverMetrics(ops.metrics),
});

try {
  const port = await ops.listen(config.TESSERA_HTTP_PORT, config.TESSERA_HTTP_HOST, log);
  log.info({ port, group: config.group, transactionalId: config.transactionalId, input: resolver.topics.touchpoints }, 'resolver starting');
  onShutdown(log, async () => { await resolver.stop(); await ops.close(); });
  await resolver.start();
} catch (err) {
  log.fatal({ err }, `resolver failed to start: ${(err as Error).message}`);
  process.exit(1);
}
