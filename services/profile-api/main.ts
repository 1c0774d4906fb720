// Profile API entry point: config → adapters → follow the identity tables and serve → stop on signals.
import { createClickHouse } from '../kit/clickhouse.ts';
import { configOrExit } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { onShutdown, Ops } from '../kit/ops.ts';
import { AvroCodec } from '../kit/registry.ts';
import { parseApiConfig } from './config.ts';
import { startApi } from './service.ts';

const config = configOrExit('profile-api', () => parseApiConfig());
const log = createLogger('profile-api', config.TESSERA_LOG_LEVEL);
const ops = new Ops('profile-api');
const kafka = createKafka(config.TESSERA_KAFKA_BROKERS, config.TESSERA_KAFKA_CLIENT_ID ?? 'tessera-profile-api', log);
const codec = new AvroCodec(config.TESSERA_REGISTRY_URL);
const ch = createClickHouse({ url: config.TESSERA_CLICKHOUSE_URL, user: config.TESSERA_CLICKHOUSE_USER, password: config.TESSERA_CLICKHOUSE_PASSWORD }, log);

try {
  const api = await startApi({ config, kafka, codec, ch, ops, log });
  log.info({ port: api.port, host: config.TESSERA_API_HOST, explorer: `http://${config.TESSERA_API_HOST}:${api.port}/explorer/` }, 'profile API listening');
  onShutdown(log, async () => { await api.close(); await ch.close(); });
} catch (err) {
  log.fatal({ err }, `profile API failed to start: ${(err as Error).message}`);
  process.exit(1);
}
