// `tessera segments …`: validate definitions, print their SQL, refresh membership now or on a schedule, list sizes,
// show one profile's segments. Wires configuration, ClickHouse, Kafka and the registry around refresh.ts.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClickHouse, select } from '../kit/clickhouse.ts';
import { configOrExit } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { str } from '../kit/sql.ts';
import { table } from '../demo/table.ts';
import { compileContext, segmentSql } from './compile.ts';
import { durationSeconds, parseDefinitions, type Definitions, type Problem } from './definition.ts';
import { membershipPublisher, membershipTopic } from './publish.ts';
import { checkAgainstWarehouse, refreshSegments, type RefreshResult } from './refresh.ts';
import { parseSegmentsConfig } from './config.ts';
import { SegmentStore } from './store.ts';
import { checkDefinitions } from './validate.ts';

const USAGE = `usage: tessera segments COMMAND [--file definitions.yaml]
  validate [--offline]                 check the definitions (names against the warehouse unless --offline)
  sql [SEGMENT…] [--as-of TIME]        print the compiled SELECT of each segment
  refresh [--segment ID]… [--as-of TIME]  evaluate, publish membership changes, store them (idempotent)
  schedule [--every 15m]               refresh now and then every interval until stopped
  list                                 segment sizes now
  show TYPE:VALUE | PROFILE_ID         the segments of one profile
TIME is an ISO date-time (default: now). Definitions: docs/segments.md.`;

// A bad command line is one line and the usage (exit 2), not a stack trace.
function parseOrExit() {
  try {
    return parseArgs({
  allowPositionals: true,
  options: {
    file: { type: 'string' }, segment: { type: 'string', multiple: true }, 'as-of': { type: 'string' },
    every: { type: 'string' }, offline: { type: 'boolean', default: false }, help: { type: 'boolean', default: false },
  },
});
  } catch (err) {
    console.error(`tessera: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { values: a, positionals } = parseOrExit();
const command = positionals[0];
if (a.help || !command) { console.log(USAGE); process.exit(command || a.help ? 0 : 2); }

const cfg = configOrExit('segments', () => parseSegmentsConfig());
const log = createLogger('segments', cfg.TESSERA_LOG_LEVEL);
const file = a.file ?? cfg.TESSERA_SEGMENTS_FILE;

function printProblems(problems: Problem[]): never {
  console.error(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}${command === 'refresh' ? '; nothing was refreshed' : ''}`);
  for (const p of problems) console.error(`  ${p.path}: ${p.message}`);
  process.exit(1);
}

function load(): Definitions {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (err) { console.error(`cannot read ${file}: ${(err as Error).message}`); process.exit(2); }
  const parsed = parseDefinitions(text);
  if (!parsed.ok) printProblems(parsed.problems);
  return parsed.definitions;
}

function asOf(): number | undefined {
  if (!a['as-of']) return undefined;
  const t = Date.parse(a['as-of']);
  if (!Number.isFinite(t)) { console.error(`--as-of: expected an ISO date-time, got ${a['as-of']}`); process.exit(2); }
  return Math.floor(t / 1000);
}

const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
const db = cfg.TESSERA_CLICKHOUSE_DATABASE;
const store = new SegmentStore(ch, db);

function report(r: Extract<RefreshResult, { ok: true }>): void {
  console.log(`refreshed ${r.segments.length} segments as of ${new Date(r.asOf * 1000).toISOString()} in ${(r.tookMs / 1000).toFixed(1)} s; ${r.records} profiles changed → ${membershipTopic(cfg.TESSERA_TOPIC_PREFIX)}`);
  console.log(table(r.segments.map((s) => ({ segment: s.id, members: s.members, entered: s.entered, exited: s.exited }))));
  if (r.retired.length > 0) console.log(`retired (definition removed, members left): ${r.retired.join(', ')}`);
}

async function refreshLoop(everyMs: number | null): Promise<void> {
  const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, cfg.TESSERA_KAFKA_CLIENT_ID ?? 'tessera-segments', log);
  const publisher = membershipPublisher(kafka, new AvroCodec(cfg.TESSERA_REGISTRY_URL), cfg.TESSERA_TOPIC_PREFIX,
    { partitions: cfg.TESSERA_PARTITIONS, replicationFactor: cfg.TESSERA_REPLICATION_FACTOR });
  await publisher.connect();
  let stopping = false;
  let wake: () => void = () => undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { stopping = true; wake(); });
  try {
    do {
      // The file is read on every run, so an edited definition takes effect at the next refresh.
      const r = await refreshSegments({ store, publisher, database: db, log, now: Date.now }, load(),
        { ...(a.segment ? { only: a.segment } : {}), ...(asOf() !== undefined ? { asOf: asOf()! } : {}) });
      if (!r.ok) {
        if (everyMs === null) printProblems(r.problems);
        log.error({ problems: r.problems }, 'segment definitions refused; membership left as it was');
      } else {
        report(r);
        log.info({ segments: r.segments.length, profilesChanged: r.records, tookMs: r.tookMs }, 'segments refreshed');
      }
      if (everyMs !== null && !stopping) await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, everyMs).unref(); });
    } while (everyMs !== null && !stopping);
  } finally {
    await publisher.disconnect();
  }
}

try {
  switch (command) {
    case 'validate': {
      const d = load();
      const checked = a.offline ? checkDefinitions(d, { traits: new Set(d.known.traits), events: new Set(d.known.events), properties: new Set(d.known.properties) })
        : await checkAgainstWarehouse(d, store);
      if (!checked.ok) printProblems(checked.problems);
      console.log(`${file}: ${d.segments.length} segments${d.rfm ? ' + the RFM family' : ''}, valid${a.offline ? ' (offline: names checked against known: only)' : ` against ${db}`}`);
      break;
    }
    case 'sql': {
      const d = load();
      const ctx = compileContext(db, asOf() ?? Math.floor(Date.now() / 1000), d);
      const ids = positionals.slice(1).length > 0 ? positionals.slice(1) : [...ctx.segments.keys()];
      for (const id of ids) {
        if (!ctx.segments.has(id)) { console.error(`unknown segment ${id}`); process.exit(2); }
        console.log(`-- ${id}\n${segmentSql(id, ctx)};\n`);
      }
      break;
    }
    case 'refresh': await refreshLoop(null); break;
    case 'schedule': {
      const every = a.every ? durationSeconds(a.every) : cfg.TESSERA_SEGMENTS_EVERY / 1000;
      if (every === null) { console.error(`--every: expected a duration such as 15m, got ${a.every}`); process.exit(2); }
      await refreshLoop(every * 1000);
      break;
    }
    case 'list':
      console.log(table(await select(ch, `SELECT segment_id AS segment, members, toDateTime(intDiv(last_entered_ms, 1000)) AS last_entry FROM ${db}.segment_sizes ORDER BY segment_id`)));
      break;
    case 'show': {
      const who = positionals[1];
      if (!who) { console.error('usage: tessera segments show TYPE:VALUE | PROFILE_ID'); process.exit(2); }
      const i = who.indexOf(':');
      const profile = i > 0
        ? (await select<{ profile_id: string }>(ch, `SELECT profile_id FROM ${db}.identities FINAL WHERE id_type = ${str(who.slice(0, i))} AND id_value = ${str(who.slice(i + 1))}`))[0]?.profile_id ?? who
        : who;
      console.log(`profile ${profile}`);
      console.log(table(await select(ch, `SELECT segment_id AS segment, entered_at FROM ${db}.segment_members WHERE profile_id = ${str(profile)} ORDER BY segment_id`)));
      break;
    }
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      process.exit(2);
  }
} finally {
  await ch.close();
}
