// The command lines of the operator commands (tessera import, explain, tail, loadgen, migrate, retention): options, help texts.
import { defaultPopulation as pop } from '../loadgen/population.ts';
import type { CommandSpec } from './cli.ts';

const rate = (what: string, def: number) => ({ type: 'string', value: 'RATE', help: `${what}, 0..1 (default ${def})` } as const);

export const importCommand = {
  name: 'import',
  summary: 'Streams a CSV or NDJSON export into touchpoints, through the collector\'s validation (docs/import.md).',
  options: {
    mapping: { type: 'string', value: 'M.json', required: true, help: 'the JSON mapping of columns to touchpoint fields' },
    file: { type: 'string', value: 'F.csv', required: true, help: 'the CSV (header row) or NDJSON file to import, read as a stream' },
    format: { type: 'string', value: 'csv|ndjson', help: 'default from the file extension (.csv, .ndjson/.jsonl)' },
    'dry-run': { type: 'boolean', default: false, help: 'validate every row and write the rejection report, produce nothing' },
    list: { type: 'string', value: 'N', default: '20', help: 'rejections printed in the summary (default 20; all are in F.rejected.ndjson)' },
  },
  notes: [
    'Environment: TESSERA_KAFKA_BROKERS, TESSERA_REGISTRY_URL, TESSERA_TOPIC_PREFIX, TESSERA_IMPORT_BATCH_SIZE (500),',
    'TESSERA_IMPORT_MAX_INFLIGHT_BATCHES (4), TESSERA_IMPORT_PRODUCE_TIMEOUT_MS (60000), TESSERA_IMPORT_MAX_ROW_BYTES (1048576),',
    'TESSERA_COLLECTOR_MAX_FUTURE_MS (86400000), TESSERA_CONSENT_CATEGORIES (as the collector), TESSERA_PARTITIONS / TESSERA_REPLICATION_FACTOR (6 / 1, for missing topics).',
    'Exit code: 0 when the file was read to the end (rejected rows included), 2 bad invocation or mapping, 1 infrastructure.',
  ],
} as const satisfies CommandSpec;

export const explainCommand = {
  name: 'explain',
  args: 'TYPE:VALUE TYPE:VALUE',
  positionals: { min: 2, max: 2 },
  summary: 'Why two identifiers share a profile: the chain of links, each with the event and time that made it,\n'
    + 'rebuilt from the changelog topic. Exit code 1 when they are not in one profile.',
  options: {},
  notes: ['Example: tessera explain email:ana@acme.io user_id:usr_42', 'Environment: TESSERA_KAFKA_BROKERS, TESSERA_REGISTRY_URL, TESSERA_TOPIC_PREFIX.'],
} as const satisfies CommandSpec;

export const tailCommand = {
  name: 'tail',
  args: 'TOPIC',
  positionals: { min: 1, max: 1 },
  summary: 'Prints a Tessera topic\'s committed records as JSON lines, decoded through the schema registry.',
  options: {
    max: { type: 'string', value: 'N', help: 'stop after N records' },
    follow: { type: 'boolean', default: false, help: 'keep printing new records (default: stop at the end of the topic)' },
  },
  notes: ['Example: tessera tail tessera.profiles --max 5', 'Environment: TESSERA_KAFKA_BROKERS, TESSERA_REGISTRY_URL.'],
} as const satisfies CommandSpec;

export const loadgenCommand = {
  name: 'loadgen',
  summary: 'Generates a seeded synthetic population and produces its touchpoints to <prefix>touchpoints;\n'
    + 'the ground truth (messageId → person) goes to a separate CSV file.',
  options: {
    people: { type: 'string', value: 'N', help: `people in the population (default ${pop.people})` },
    sessions: { type: 'string', value: 'N', help: `sessions per person, on average (default ${pop.sessions})` },
    seed: { type: 'string', value: 'N', help: `random seed: the same seed gives the same events (default ${pop.seed})` },
    rate: { type: 'string', value: 'N', help: 'events per second, 0 = as fast as possible (default 0)' },
    truth: { type: 'string', value: 'FILE', help: 'where the ground truth goes (default ground-truth.csv)' },
    malformed: { type: 'boolean', default: true, help: 'do not add the few records that are not valid Avro (they show the DLQ at work)' },
    'max-devices': { type: 'string', value: 'N', help: `devices per person, 1..6 (default ${pop.maxDevices})` },
    'shared-devices': rate('share of households sharing one computer and cookie', pop.sharedDeviceRate),
    'shared-emails': rate('share of households sharing one family email', pop.sharedEmailRate),
    placeholders: rate('share of SDK calls carrying a placeholder value', pop.placeholderRate),
    'cookie-churn': rate('chance that a web session starts on a fresh cookie', pop.cookieChurnRate),
    registered: rate('share of people who ever log in', pop.registeredRate),
  },
  notes: ['Environment: TESSERA_KAFKA_BROKERS, TESSERA_REGISTRY_URL, TESSERA_TOPIC_PREFIX, TESSERA_LOG_LEVEL.'],
} as const satisfies CommandSpec;

export const migrateCommand = {
  name: 'migrate',
  summary: 'Applies the ClickHouse migrations (schemas/clickhouse) to the configured server and database; idempotent.',
  options: {},
  notes: [
    'Environment: TESSERA_CLICKHOUSE_URL, TESSERA_CLICKHOUSE_USER, TESSERA_CLICKHOUSE_PASSWORD, TESSERA_CLICKHOUSE_DATABASE (tessera);',
    'TESSERA_PRIVACY_HASH_KEY or TESSERA_PRIVACY_HASH_KEY_FILE ($TESSERA_HOME/privacy-hash.key): the key that feeds <database>_analyst with keyed hashes.',
  ],
} as const satisfies CommandSpec;


export const retentionCommand = {
  name: 'retention',
  summary: 'Drops the months of raw events older than the retention limit (whole partitions; docs/privacy.md, Retention).\n'
    + 'A month is dropped once all of it is older than the limit; the month holding the limit stays until then.',
  options: {
    'keep-days': { type: 'string', value: 'DAYS', help: 'keep this many days of events (default TESSERA_RETENTION_DAYS)' },
    'as-of': { type: 'string', value: 'TIME', help: 'ISO date-time the limit counts back from (default: now)' },
    'dry-run': { type: 'boolean', default: false, help: 'print what would be dropped, drop nothing' },
    every: { type: 'string', value: 'HOURS', help: 'apply now and then every HOURS hours until stopped (a schedule)' },
  },
  notes: [
    'Example: tessera retention --keep-days 395 --dry-run',
    'Environment: TESSERA_CLICKHOUSE_URL, TESSERA_CLICKHOUSE_USER, TESSERA_CLICKHOUSE_PASSWORD, TESSERA_CLICKHOUSE_DATABASE,',
    'TESSERA_RETENTION_DAYS (no default: without it --keep-days is required).',
    'Exit code: 0 done, 2 bad invocation, 1 ClickHouse unreachable or refusing.',
  ],
} as const satisfies CommandSpec;
export const commands: readonly CommandSpec[] = [importCommand, explainCommand, tailCommand, loadgenCommand, migrateCommand, retentionCommand];
