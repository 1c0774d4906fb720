-- The layout that scales for analysts, created beside the old one (008 moves the names onto it, 009 rebuilds the views).
-- events_v2: partitioned by month (retention drops months; a time range reads only its months) and ordered by
-- (week, claim key, message id): a time range reads only its weeks, the claims of one person a few granules of each
-- week, and the dedupe key (message_id) stays in the sort key. The week, not the day: a person's claims are looked up
-- once per time bucket, so the bucket must hold many granules (at 10 million events a year a day holds three, a week
-- twenty; bench/layout.ts measured a third of the rows read for a person's events), while a time range reads at most
-- six days more. Every sort-key column is a function of the touchpoint alone, so a redelivered event lands on the same
-- key and ReplacingMergeTree collapses it. An insert covering one month is one part, written atomically: the writer
-- splits each batch per month and keeps its watermarks per month (writer_watermarks_v2).
-- event_time is DateTime('UTC') so that months and weeks are UTC whatever the server's time zone.
CREATE TABLE IF NOT EXISTS {db}.events_v2
(
    message_id      String,
    type            String,
    event           String,
    name            String,
    user_id         String,
    anonymous_id    String,
    claim_key       String  COMMENT 'key of the event''s claim (its identifier set): attributes it through claims; empty when it has no identifier; v1:<type>:<value> on rows copied from the old layout',
    identifiers     Array(String) COMMENT 'type:value of every identifier extracted and normalised from the event (the claim)',
    dropped_types   Array(String) COMMENT 'type of every identifier dropped before linking (blocked, invalid, too long)',
    dropped_codes   Array(String) COMMENT 'code of each drop (BLOCKED, INVALID, TOO_LONG), aligned with dropped_types',
    profile_id      String  COMMENT 'resolve-time profile: only on rows from the optional resolved stream or the old layout',
    id_type         String  COMMENT 'resolve-time primary identifier: only on rows from the resolved stream or the old layout',
    id_value        String,
    refused         Array(String) COMMENT 'resolve-time refusals (type:value): only on rows from the resolved stream or the old layout',
    refusal_codes   Array(String),
    event_time      DateTime('UTC'),
    event_ms        UInt64  COMMENT 'event time in epoch milliseconds',
    event_date      Date MATERIALIZED toDate(event_time),
    received_at     DateTime('UTC'),
    source          String,
    ip              String,
    user_agent      String,
    locale          String,
    timezone        String,
    page_path       String,
    page_url        String,
    page_referrer   String,
    page_title      String,
    utm_source      String,
    utm_medium      String,
    utm_campaign    String,
    device_id       String,
    device_type     String,
    device_model    String,
    os_name         String,
    app_name        String,
    app_version     String,
    country         String,
    region          String,
    city            String,
    revenue         Float64,
    currency        String,
    session_key     String  COMMENT 'properties.session_id, else the device or cookie and the 30-minute window',
    trait_keys      Array(String),
    trait_values    Array(String),
    property_keys   Array(String),
    property_values Array(String),
    src_topic       String,
    src_partition   UInt32,
    src_offset      UInt64
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (toMonday(event_time), claim_key, message_id);

-- How the link stage linked each claim: claim key → its primary identifier (the highest-priority linked one; empty
-- when none was linked) and the profile at link time. The current profile of an event is its claim's primary
-- identifier's profile in identities. Query with FINAL. Version 0 rows are not the link stage's: written from the
-- resolved stream (its resolution of the claim) or for rows of the old layout (key v1:<type>:<value>); any link-stage
-- record of the same claim supersedes them.
CREATE TABLE IF NOT EXISTS {db}.claims
(
    claim_key     String,
    primary_type  String  COMMENT 'empty when no identifier of the claim was linked, or the claim was erased',
    primary_value String,
    profile_id    String  COMMENT 'profile at link time; the current one is the primary identifier''s in identities',
    message_id    String  COMMENT 'the claim''s earliest event',
    event_time    DateTime COMMENT 'event time of that event',
    version       UInt64  COMMENT 'link-stage version: the highest wins',
    src_topic     String,
    src_partition UInt32,
    src_offset    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY claim_key;

-- Behavioural aggregates of profiles kept per claim as mergeable states (replacing the per-identifier profile_activity),
-- re-grouped by claim → primary identifier → current profile at query time: a merge or a split changes identities,
-- never these rows.
CREATE TABLE IF NOT EXISTS {db}.profile_activity_v2
(
    claim_key    String,
    event_date   Date,
    type         String,
    event        String,
    events       AggregateFunction(count),
    sessions     AggregateFunction(uniq, String),
    revenue      AggregateFunction(sum, Float64),
    first_seen   AggregateFunction(min, DateTime('UTC')),
    last_seen    AggregateFunction(max, DateTime('UTC')),
    last_channel AggregateFunction(argMax, String, UInt64),
    countries    AggregateFunction(groupUniqArray, String),
    device_types AggregateFunction(groupUniqArray, String)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(event_date)
ORDER BY (claim_key, event_date, type, event);

-- Latest value of each trait per claim (replacing the per-identifier identifier_traits).
CREATE TABLE IF NOT EXISTS {db}.profile_traits
(
    claim_key  String,
    trait      String,
    value      AggregateFunction(argMax, String, UInt64),
    updated_ms AggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree()
ORDER BY (claim_key, trait);

-- The writer's offsets per target table, table partition (events: the month; '' for unpartitioned tables) and source
-- partition. An insert covers one table partition, so after a crash between two partition inserts of one batch each
-- (table partition, source partition) is still written up to an offset, and nothing is lost or written twice.
CREATE TABLE IF NOT EXISTS {db}.writer_watermarks_v2
(
    target          String  COMMENT 'table the rows were written to',
    table_partition String  COMMENT 'partition of that table (events: YYYYMM of event_time); empty when unpartitioned',
    src_topic       String,
    src_partition   UInt32,
    src_offset      UInt64  COMMENT 'highest source offset in one insert'
)
ENGINE = ReplacingMergeTree(src_offset)
ORDER BY (target, table_partition, src_topic, src_partition);

-- The views that feed on the old tables go before the names move: on 18.16 a materialized view follows a table name
-- (it would feed on the new events), on current releases it follows the table (it would keep feeding on the old one).
-- DROP TABLE drops a view too (18.16 has no DROP VIEW).
-- event_anchors (006) goes too, its table with it: 009 builds it again on the new events, from the copied rows.
DROP TABLE IF EXISTS {db}.event_anchors;
DROP TABLE IF EXISTS {db}.profile_activity_mv;
DROP TABLE IF EXISTS {db}.identifier_traits_mv;
DROP TABLE IF EXISTS {db}.events_watermark_mv;
DROP TABLE IF EXISTS {db}.profiles_watermark_mv;
DROP TABLE IF EXISTS {db}.identities_watermark_mv;
DROP TABLE IF EXISTS {db}.profile_anchors_watermark_mv;
DROP TABLE IF EXISTS {db}.identity_changes_watermark_mv;
