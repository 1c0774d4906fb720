-- The identity graph as the resolver publishes it: profiles, identifier → profile, anchors, aliases, and the change log.
-- Every row carries its source topic/partition/offset: the warehouse writer's exactly-once watermark (DESIGN.md §4).
-- No PARTITION BY anywhere: an insert below max_insert_block_size is one part, written atomically.

-- Latest state per profile id (query with FINAL). state: active | merged (merged_into = survivor) | deleted (tombstone).
CREATE TABLE IF NOT EXISTS {db}.profiles
(
    profile_id       String,
    state            String  COMMENT 'active | merged | deleted',
    merged_into      String  COMMENT 'survivor profile id when state = merged',
    id_types         Array(String) COMMENT 'identifier types, aligned with id_values',
    id_values        Array(String),
    identifier_count UInt32,
    first_seen       DateTime,
    last_seen        DateTime,
    version          UInt64  COMMENT 'resolver version (hybrid logical clock): the highest wins',
    src_topic        String,
    src_partition    UInt32,
    src_offset       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY profile_id;

-- Identifier → the profile it belongs to now (query with FINAL); profile_id = '' means erased.
CREATE TABLE IF NOT EXISTS {db}.identities
(
    id_type       String,
    id_value      String,
    profile_id    String   COMMENT 'current profile; empty when the identifier was erased',
    message_id    String   COMMENT 'the event that linked it (or that erased it)',
    linked_at     DateTime COMMENT 'event time of that event',
    version       UInt64,
    src_topic     String,
    src_partition UInt32,
    src_offset    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (id_type, id_value);

-- The identifier a profile was created from (its earliest claim); never changes for a profile id.
CREATE TABLE IF NOT EXISTS {db}.profile_anchors
(
    profile_id    String,
    id_type       String,
    id_value      String,
    src_topic     String,
    src_partition UInt32,
    src_offset    UInt64
)
ENGINE = ReplacingMergeTree()
ORDER BY profile_id;

-- Every merge and identifier move the resolver published, as a log (one row per Kafka record).
CREATE TABLE IF NOT EXISTS {db}.identity_changes
(
    kind          String   COMMENT 'merge | move',
    from_profile  String,
    into_profile  String   COMMENT 'empty for an erased identifier',
    id_type       String   COMMENT 'the identifier that moved (kind = move)',
    id_value      String,
    message_id    String   COMMENT 'the event that caused the change',
    event_time    DateTime,
    event_ms      UInt64,
    version       UInt64,
    src_topic     String,
    src_partition UInt32,
    src_offset    UInt64
)
ENGINE = ReplacingMergeTree()
ORDER BY (src_topic, src_partition, src_offset);

-- Merged-away (or split-off) profile id → the profile its anchor identifier belongs to now: always one hop,
-- computed at query time, so chains (A→B→C) and later splits need no rewrite.
-- ANY LEFT JOIN + a filter, not ANY INNER JOIN: current releases made ANY INNER deduplicate the left side too.
CREATE VIEW IF NOT EXISTS {db}.profile_aliases AS
SELECT
    alias_id,
    current_profile_id AS profile_id,
    id_type AS anchor_type,
    id_value AS anchor_value
FROM (SELECT profile_id AS alias_id, id_type, id_value FROM {db}.profile_anchors FINAL) AS a
ANY LEFT JOIN
(
    SELECT id_type, id_value, profile_id AS current_profile_id
    FROM {db}.identities FINAL
    WHERE profile_id != ''
) AS i USING (id_type, id_value)
WHERE current_profile_id != '' AND current_profile_id != alias_id;
