// Collector process: parse config, start the HTTP collector, stop cleanly on SIGTERM/SIGINT.
import { ConfigError } from '../kit/errors.ts';
import { createLogger } from '../kit/log.ts';
import { onShutdown } from '../kit/ops.ts';
import { collectorConfig, type CollectorConfig } from './config.ts';
import { startCollector } from './collector.ts';

let config: CollectorConfig;
try {
  config = collectorConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  createLogger('collector').fatal({ code: err.code, problems: err.problems }, err.message);
  process.exit(2);
}
const log = createLogger('collector', config.logLevel);
const collector = await startCollector(config, { log });
onShutdown(log, () => collector.close());
