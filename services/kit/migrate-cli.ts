// `make migrate` / `tessera migrate`: applies the ClickHouse migrations to the configured server and database.
import { commandLine } from '../tools/cli.ts';
import { migrateCommand } from '../tools/commands.ts';
import { commonEnv, configOrExit, parseEnv } from './config.ts';
import { createClickHouse } from './clickhouse.ts';
import { createLogger } from './log.ts';
import { migrate } from './migrate.ts';
import { keyFingerprint, setupAnalystFeed } from '../privacy/analyst-feed.ts';
import { loadPiiKey, piiKeyEnv } from '../privacy/pii-config.ts';

commandLine(migrateCommand, () => undefined);
const cfg = configOrExit('migrate', () => parseEnv({ ...commonEnv, ...piiKeyEnv }));
const log = createLogger('migrate', cfg.TESSERA_LOG_LEVEL);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
try {
  const report = await migrate(ch, cfg.TESSERA_CLICKHOUSE_DATABASE);
  log.info({ database: cfg.TESSERA_CLICKHOUSE_DATABASE, ...report }, `migrations: ${report.applied.length} applied, ${report.unchanged.length} already in place`);
  // The analysts' database is fed through keyed hashes: without the key it stays empty, and the operator is told why.
  const key = loadPiiKey(cfg);
  if (key.ok) {
    const views = await setupAnalystFeed(ch, cfg.TESSERA_CLICKHOUSE_DATABASE, key.key);
    log.info({ database: `${cfg.TESSERA_CLICKHOUSE_DATABASE}_analyst`, views, key: keyFingerprint(key.key) }, 'analysts\' database fed with keyed hashes');
  } else {
    log.warn({ problem: key.problem }, 'no PII key: the analysts\' database is not fed (docs/privacy.md)');
  }
} catch (err) {
  log.fatal({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await ch.close();
}
