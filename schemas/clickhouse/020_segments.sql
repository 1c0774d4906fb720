-- Segments (docs/segments.md): definitions as compiled, membership per segment and profile, the log of entries and
-- exits, and one row per refresh. Written only by `tessera segments refresh`; membership is recomputed from the
-- current-profile views, so merges need no rewrite here: a merged-away profile leaves at the next refresh.

-- Each segment as the last refresh that changed it compiled it (query with FINAL).
CREATE TABLE IF NOT EXISTS {db}.segment_definitions
(
    segment_id   String,
    name         String,
    description  String,
    kind         String  COMMENT 'rules | sql (analyst SQL) | rfm (built-in family)',
    definition   String  COMMENT 'the definition as JSON',
    compiled_sql String  COMMENT 'the SELECT of its members, with the time windows of that refresh',
    retired      UInt8   COMMENT '1 once the definition was removed (its members left)',
    updated_ms   UInt64,
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY segment_id;

-- Membership per segment and profile: member = 1 while in, 0 after leaving (query with FINAL, or segment_members).
-- version = the refresh's instant in ms; refreshes are serialised and their instants increase.
CREATE TABLE IF NOT EXISTS {db}.segment_membership
(
    segment_id String,
    profile_id String,
    member     UInt8,
    entered_ms UInt64  COMMENT 'refresh that added the profile',
    exited_ms  UInt64  COMMENT 'refresh that removed it (0 while a member)',
    reason     String  COMMENT 'of the last change: rule | merged | retired',
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (segment_id, profile_id);

-- Every entry and exit, as a log. The key is the change itself, so a refresh retried after a crash adds no duplicate.
CREATE TABLE IF NOT EXISTS {db}.segment_changes
(
    segment_id String,
    profile_id String,
    change     String  COMMENT 'entered | exited',
    reason     String  COMMENT 'rule | merged (profile merged away; its survivor is evaluated) | retired (definition removed)',
    at         DateTime,
    at_ms      UInt64
)
ENGINE = ReplacingMergeTree()
ORDER BY (segment_id, profile_id, at_ms, change);

-- One row per refresh that ran to the end.
CREATE TABLE IF NOT EXISTS {db}.segment_refreshes
(
    refreshed_ms UInt64,
    refreshed_at DateTime,
    as_of        DateTime COMMENT 'the instant time windows ended at',
    segments     UInt32,
    entered      UInt64,
    exited       UInt64,
    took_ms      UInt64
)
ENGINE = MergeTree()
ORDER BY refreshed_ms;

-- The members of every segment now.
CREATE VIEW IF NOT EXISTS {db}.segment_members AS
SELECT segment_id, profile_id, toDateTime(intDiv(entered_ms, 1000)) AS entered_at, entered_ms
FROM {db}.segment_membership FINAL
WHERE member = 1;

-- Size of every segment now (segments without members have no row).
CREATE VIEW IF NOT EXISTS {db}.segment_sizes AS
SELECT segment_id, count() AS members, max(entered_ms) AS last_entered_ms
FROM {db}.segment_members
GROUP BY segment_id;
