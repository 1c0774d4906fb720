// The tables the writer fills: their columns in insert order with ClickHouse types (as schemas/clickhouse declares
// them), and how a row finds its table partition.

/** The column types the writer sends; RowBinary encodes each (rowbinary.ts). */
export type ColumnType = 'String' | 'UInt8' | 'UInt32' | 'UInt64' | 'Float64' | 'DateTime' | "DateTime('UTC')" | 'Array(String)';

export type Column = readonly [name: string, type: ColumnType];

/**
 * The tables in the order a flush writes them: a change's log row before the state it explains, a profile before
 * the identities that point to it, so a reader who sees a state also sees what led to it.
 */
export const TABLES = ['events', 'claims', 'identity_changes', 'profiles', 'profile_anchors', 'identities'] as const;
export type Table = (typeof TABLES)[number];

const SOURCE: Column[] = [['src_topic', 'String'], ['src_partition', 'UInt32'], ['src_offset', 'UInt64']];

const EVENT_COLUMNS: Column[] = [
  ['message_id', 'String'], ['type', 'String'], ['event', 'String'], ['name', 'String'], ['user_id', 'String'], ['anonymous_id', 'String'],
  ['claim_key', 'String'], ['identifiers', 'Array(String)'], ['dropped_types', 'Array(String)'], ['dropped_codes', 'Array(String)'],
  ['profile_id', 'String'], ['id_type', 'String'], ['id_value', 'String'], ['refused', 'Array(String)'], ['refusal_codes', 'Array(String)'],
  ['event_time', "DateTime('UTC')"], ['event_ms', 'UInt64'], ['received_at', "DateTime('UTC')"], ['source', 'String'],
  ['ip', 'String'], ['user_agent', 'String'], ['locale', 'String'], ['timezone', 'String'],
  ['page_path', 'String'], ['page_url', 'String'], ['page_referrer', 'String'], ['page_title', 'String'],
  ['utm_source', 'String'], ['utm_medium', 'String'], ['utm_campaign', 'String'],
  ['device_id', 'String'], ['device_type', 'String'], ['device_model', 'String'], ['os_name', 'String'], ['app_name', 'String'], ['app_version', 'String'],
  ['country', 'String'], ['region', 'String'], ['city', 'String'], ['revenue', 'Float64'], ['currency', 'String'], ['session_key', 'String'],
  ['trait_keys', 'Array(String)'], ['trait_values', 'Array(String)'], ['property_keys', 'Array(String)'], ['property_values', 'Array(String)'],
  ...SOURCE,
  // Added by migration 035 (ALTER TABLE … ADD COLUMN appends): after the source position, as the table has them.
  ['consent_said', 'UInt8'], ['consent_purposes', 'Array(String)'],
];

/** Columns of each table in insert order (materialized columns such as events.event_date are left out). */
export const COLUMNS: Record<Table, readonly Column[]> = {
  events: EVENT_COLUMNS,
  claims: [
    ['claim_key', 'String'], ['primary_type', 'String'], ['primary_value', 'String'], ['profile_id', 'String'], ['message_id', 'String'],
    ['event_time', 'DateTime'], ['version', 'UInt64'], ...SOURCE,
  ],
  profiles: [
    ['profile_id', 'String'], ['state', 'String'], ['merged_into', 'String'], ['id_types', 'Array(String)'], ['id_values', 'Array(String)'],
    ['identifier_count', 'UInt32'], ['first_seen', 'DateTime'], ['last_seen', 'DateTime'], ['version', 'UInt64'], ...SOURCE,
  ],
  identities: [
    ['id_type', 'String'], ['id_value', 'String'], ['profile_id', 'String'], ['message_id', 'String'], ['linked_at', 'DateTime'],
    ['version', 'UInt64'], ...SOURCE,
  ],
  profile_anchors: [['profile_id', 'String'], ['id_type', 'String'], ['id_value', 'String'], ...SOURCE],
  identity_changes: [
    ['kind', 'String'], ['from_profile', 'String'], ['into_profile', 'String'], ['id_type', 'String'], ['id_value', 'String'],
    ['message_id', 'String'], ['event_time', 'DateTime'], ['event_ms', 'UInt64'], ['version', 'UInt64'], ...SOURCE,
  ],
};

const monthTexts = new Map<number, string>();

/**
 * Month (YYYYMM, UTC) of a time in epoch seconds: ClickHouse's partition id of toYYYYMM on a DateTime('UTC'). Called
 * for every events row, so it allocates nothing: civil-from-days arithmetic (H. Hinnant's algorithm) and one text per
 * month ever seen.
 */
export function monthOf(seconds: number): string {
  const z = Math.floor(seconds / 86_400) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const key = year * 100 + month;
  let text = monthTexts.get(key);
  if (text === undefined) { text = String(key); monthTexts.set(key, text); }
  return text;
}

/**
 * The table partition a row lands in, '' for an unpartitioned table. An insert must stay inside one partition to be one
 * part (atomic), and the writer's watermarks are kept per partition. events: PARTITION BY toYYYYMM(event_time).
 */
export function tablePartition(table: Table, row: Readonly<Record<string, unknown>>): string {
  return table === 'events' ? monthOf(row.event_time as number) : '';
}

/** ClickHouse's partition expression for each table, to read the watermarks a table itself holds. */
export const PARTITION_EXPRESSION: Record<Table, string> = {
  events: 'toString(toYYYYMM(event_time))',
  claims: "''",
  profiles: "''",
  identities: "''",
  profile_anchors: "''",
  identity_changes: "''",
};
