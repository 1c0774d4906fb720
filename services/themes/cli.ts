// `tessera themes …`: analyse new free text, list the themes rising in each region, show the channel / device mix.
import { parseArgs } from 'node:util';
import { createClickHouse, select } from '../kit/clickhouse.ts';
import { commonEnv, configOrExit, parseEnv } from '../kit/config.ts';
import { createLogger } from '../kit/log.ts';
import { str } from '../kit/sql.ts';
import { table } from '../demo/table.ts';
import { refreshThemes } from './refresh.ts';

const USAGE = `usage: tessera themes COMMAND
  refresh                 analyse the free text of new events (key phrases, sentiment)
  rising [--country DE]   themes rising in each region (region_themes_rising)
  mix [--country DE]      channel and device mix by region (region_channel_device_mix)
Docs: docs/themes.md.`;
// A bad command line is one line and the usage (exit 2), not a stack trace.
function parseOrExit() {
  try {
    return parseArgs({ allowPositionals: true, options: { country: { type: 'string' }, top: { type: 'string', default: '5' }, help: { type: 'boolean', default: false } } });
  } catch (err) {
    console.error(`tessera: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { values: a, positionals } = parseOrExit();
const command = positionals[0];
if (a.help || !command) { console.log(USAGE); process.exit(command || a.help ? 0 : 2); }
const cfg = configOrExit('themes', () => parseEnv(commonEnv));
const log = createLogger('themes', cfg.TESSERA_LOG_LEVEL);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
const db = cfg.TESSERA_CLICKHOUSE_DATABASE;
const where = a.country ? `WHERE country = ${str(a.country)}` : '';
try {
  switch (command) {
    case 'refresh': {
      const r = await refreshThemes(ch, db, log, Date.now);
      console.log(`analysed ${r.analysed} texts, dropped ${r.dropped} analyses of erased events, in ${(r.tookMs / 1000).toFixed(1)} s`);
      break;
    }
    case 'rising':
      console.log(table(await select(ch, `SELECT country, region, phrase, rising, recent_mentions, recent_people, earlier_mentions, recent_sentiment, growth, lift
        FROM ${db}.region_themes_rising ${where} ORDER BY country, region, rising DESC, recent_mentions DESC, phrase LIMIT ${Number(a.top) || 5} BY country, region`)));
      break;
    case 'mix':
      console.log(table(await select(ch, `SELECT country, region, channel, device_type, events, events_share_pct, orders, revenue FROM ${db}.region_channel_device_mix ${where}
        ORDER BY country, region, events DESC`)));
      break;
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      process.exit(2);
  }
} finally {
  await ch.close();
}
