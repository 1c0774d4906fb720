// Extract stage entry point: config → adapters → run the stage → stop on signals.
import { configOrExit } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { onShutdown, Ops } from '../kit/ops.ts';
import { AvroCodec } from '../kit/registry.ts';
import { StageRunner } from '../kit/stage/runner.ts';
import { parseExtractConfig } from './config.ts';
import { extractStage } from './stage.ts';

const config = configOrExit('extract', () => parseExtractConfig());
const log = createLogger('extract', config.TESSERA_LOG_LEVEL);
const ops = new Ops('extract');
const kafka = createKafka(config.TESSERA_KAFKA_BROKERS, config.TESSERA_KAFKA_CLIENT_ID ?? 'tessera-extract', log);
const codec = new AvroCodec(config.TESSERA_REGISTRY_URL);
const runner = new StageRunner(extractStage(config, kafka, codec, undefined, log), {
  kafka, codec, log, ops, groupId: config.group,
  chunkMax: config.TESSERA_EXTRACT_CHUNK,
  sessionTimeoutMs: config.TESSERA_EXTRACT_SESSION_TIMEOUT_MS,
});

try {
  const port = await ops.listen(config.TESSERA_HTTP_PORT, config.TESSERA_HTTP_HOST, log);
  log.info({ port, group: config.group, cacheSize: config.TESSERA_EXTRACT_CACHE_SIZE }, 'extract starting');
  onShutdown(log, async () => { await runner.stop(); await ops.close(); });
  await runner.start();
} catch (err) {
  log.fatal({ err }, `extract failed to start: ${(err as Error).message}`);
  process.exit(1);
}
