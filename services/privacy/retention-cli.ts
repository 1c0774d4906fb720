// `tessera retention`: drops the months of raw events older than the retention limit, once or on a schedule.
import { commandLine, intOption, UsageError } from '../tools/cli.ts';
import { retentionCommand } from '../tools/commands.ts';
import { createClickHouse } from '../kit/clickhouse.ts';
import { commonEnv, configOrExit, parseEnv } from '../kit/config.ts';
import { ConfigError, describe } from '../kit/errors.ts';
import { createLogger } from '../kit/log.ts';
import { applyRetention } from './retention-store.ts';
import { parseRetentionDays } from './retention.ts';
import { retentionEnv } from './pii-config.ts';

const cfg = configOrExit('retention', () => parseEnv({ ...commonEnv, ...retentionEnv }));
const args = commandLine(retentionCommand, ({ values }) => {
  let keepDays: number;
  if (values['keep-days'] !== undefined) {
    const d = parseRetentionDays(values['keep-days']);
    if (!d.ok) throw new UsageError(`--keep-days ${d.problem}`);
    keepDays = d.days;
  } else if (cfg.TESSERA_RETENTION_DAYS !== undefined) {
    keepDays = cfg.TESSERA_RETENTION_DAYS;
  } else {
    throw new UsageError('--keep-days is required when TESSERA_RETENTION_DAYS is not set');
  }
  let asOfMs: number | null = null;
  if (values['as-of'] !== undefined) {
    asOfMs = Date.parse(values['as-of']);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values['as-of']) || Number.isNaN(asOfMs)) throw new UsageError(`--as-of takes an ISO date-time such as 2026-11-30T00:00:00Z, got ${JSON.stringify(values['as-of'])}`);
  }
  const everyHours = values.every === undefined ? null : intOption('every', values.every, 1, 24 * 366);
  if (everyHours !== null && asOfMs !== null) throw new UsageError('--every and --as-of do not go together: a schedule counts back from each run\'s own time');
  return { keepDays, asOfMs, everyHours, dryRun: values['dry-run'] };
});

const log = createLogger('retention', cfg.TESSERA_LOG_LEVEL);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function once(): Promise<void> {
  const asOfMs = args.asOfMs ?? Date.now();
  const results = await applyRetention(ch, { database: cfg.TESSERA_CLICKHOUSE_DATABASE, keepDays: args.keepDays, asOfMs, dryRun: args.dryRun });
  for (const r of results) {
    const verb = args.dryRun ? 'would drop' : 'dropped';
    const lines = [
      `${r.table}: keep ${args.keepDays} days (events from ${day(r.plan.cutoffMs)} on); ${verb} ${r.plan.drop.length} month(s) ${r.plan.drop.join(' ') || '-'}: ${r.droppedRows} events; ${r.keptRows} events kept`,
    ];
    if (r.plan.partial) lines.push(`  ${r.plan.partial} is partly older than the limit and stays until all of it is (partitions are dropped whole)`);
    if (r.plan.skipped.length > 0) lines.push(`  partitions that are not months, left alone: ${r.plan.skipped.join(' ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    log.info({ table: r.table, keepDays: args.keepDays, dropped: r.plan.drop, droppedRows: r.droppedRows, partial: r.plan.partial, dryRun: args.dryRun }, 'retention applied');
  }
}

try {
  await once();
  if (args.everyHours !== null) {
    const ms = args.everyHours * 3_600_000;
    // A failed run is logged and the next one tries again: the schedule outlives a ClickHouse restart.
    const timer = setInterval(() => { once().catch((err) => log.error({ err }, 'retention run failed; the next run tries again')); }, ms);
    const stop = () => { clearInterval(timer); void ch.close(); };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } else {
    await ch.close();
  }
} catch (err) {
  process.stderr.write(`tessera retention: ${err instanceof ConfigError ? err.message : describe(err)}\n`);
  await ch.close();
  process.exitCode = 1;
}
