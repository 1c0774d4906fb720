-- The warehouse writer's offsets, held in ClickHouse: the highest source offset written per table and partition.
-- Each target table's materialized view records max(src_offset) of every insert, so the watermark survives
-- ReplacingMergeTree collapsing the row that carried it. The writer takes the greater of this and max(src_offset)
-- of the table itself; both only ever under-estimate what was written, never over-estimate it.
CREATE TABLE IF NOT EXISTS {db}.writer_watermarks
(
    target        String  COMMENT 'table the rows were written to',
    src_topic     String,
    src_partition UInt32,
    src_offset    UInt64  COMMENT 'highest source offset in one insert'
)
ENGINE = ReplacingMergeTree(src_offset)
ORDER BY (target, src_topic, src_partition);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.events_watermark_mv TO {db}.writer_watermarks AS
SELECT 'events' AS target, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.events GROUP BY src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.profiles_watermark_mv TO {db}.writer_watermarks AS
SELECT 'profiles' AS target, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.profiles GROUP BY src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.identities_watermark_mv TO {db}.writer_watermarks AS
SELECT 'identities' AS target, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.identities GROUP BY src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.profile_anchors_watermark_mv TO {db}.writer_watermarks AS
SELECT 'profile_anchors' AS target, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.profile_anchors GROUP BY src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.identity_changes_watermark_mv TO {db}.writer_watermarks AS
SELECT 'identity_changes' AS target, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.identity_changes GROUP BY src_topic, src_partition;
