// Resolved-event stage entry point: config → adapters → run the stage → stop on signals.
import { configOrExit } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { onShutdown, Ops } from '../kit/ops.ts';
import { AvroCodec } from '../kit/registry.ts';
import { StageRunner } from '../kit/stage/runner.ts';
import { parseResolvedConfig } from './config.ts';
import { resolvedStage } from './stage.ts';

const config = configOrExit('resolved', () => parseResolvedConfig());
const log = createLogger('resolved', config.TESSERA_LOG_LEVEL);
const ops = new Ops('resolved');
const kafka = createKafka(config.TESSERA_KAFKA_BROKERS, config.TESSERA_KAFKA_CLIENT_ID ?? 'tessera-resolved', log);
const codec = new AvroCodec(config.TESSERA_REGISTRY_URL);
const stage = resolvedStage(config, kafka, codec, log);
const runner = new StageRunner(stage, {
  kafka, codec, log, ops, groupId: config.group,
  chunkMax: config.TESSERA_RESOLVED_CHUNK,
  sessionTimeoutMs: config.TESSERA_RESOLVED_SESSION_TIMEOUT_MS,
});

try {
  const port = await ops.listen(config.TESSERA_HTTP_PORT, config.TESSERA_HTTP_HOST, log);
  log.info({ port, group: config.group, parkMax: config.TESSERA_RESOLVED_PARK_MAX, parkMaxMs: config.TESSERA_RESOLVED_PARK_MAX_MS }, 'resolved starting');
  onShutdown(log, async () => { await runner.stop(); await stage.stopFeed(); await ops.close(); });
  await runner.start();
} catch (err) {
  log.fatal({ err }, `resolved failed to start: ${(err as Error).message}`);
  process.exit(1);
}
