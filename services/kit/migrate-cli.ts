// `make migrate` / `tessera migrate`: applies the ClickHouse migrations to the configured server and database.
import { commandLine } from '../tools/cli.ts';
import { migrateCommand } from '../tools/commands.ts';
import { commonEnv, configOrExit, parseEnv } from './config.ts';
import { createClickHouse } from './clickhouse.ts';
import { createLogger } from './log.ts';
import { migrate } from './migrate.ts';

commandLine(migrateCommand, () => undefined);
const cfg = configOrExit('migrate', () => parseEnv(commonEnv));
const log = createLogger('migrate', cfg.TESSERA_LOG_LEVEL);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
try {
  const report = await migrate(ch, cfg.TESSERA_CLICKHOUSE_DATABASE);
  log.info({ database: cfg.TESSERA_CLICKHOUSE_DATABASE, ...report }, `migrations: ${report.applied.length} applied, ${report.unchanged.length} already in place`);
} catch (err) {
  log.fatal({ err }, 'migration failed');
  process.exitCode = 1;
} finally {
  await ch.close();
}
