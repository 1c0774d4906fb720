// Link stage entry point: config → adapters → run the stage → stop on signals.
import { configOrExit } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { onShutdown, Ops } from '../kit/ops.ts';
import { AvroCodec } from '../kit/registry.ts';
import { StageRunner } from '../kit/stage/runner.ts';
import { parseLinkConfig } from './config.ts';
import { linkStage } from './stage.ts';

const config = configOrExit('link', () => parseLinkConfig());
const log = createLogger('link', config.TESSERA_LOG_LEVEL);
const ops = new Ops('link');
const kafka = createKafka(config.TESSERA_KAFKA_BROKERS, config.TESSERA_KAFKA_CLIENT_ID ?? `tessera-link-${config.TESSERA_LINK_INSTANCE}`, log);
const codec = new AvroCodec(config.TESSERA_REGISTRY_URL);
const runner = new StageRunner(linkStage(config, kafka, codec, log), {
  kafka, codec, log, ops, groupId: config.group,
  chunkMax: config.TESSERA_LINK_TXN_MAX,
  sessionTimeoutMs: config.TESSERA_LINK_SESSION_TIMEOUT_MS,
});

try {
  const port = await ops.listen(config.TESSERA_HTTP_PORT, config.TESSERA_HTTP_HOST, log);
  log.info({ port, group: config.group, transactionalId: config.transactionalId }, 'link starting');
  onShutdown(log, async () => { await runner.stop(); await ops.close(); });
  await runner.start();
} catch (err) {
  log.fatal({ err }, `link failed to start: ${(err as Error).message}`);
  process.exit(1);
}
