-- Every profile id an event was resolved to can be followed to the current profile (profile_aliases), also when the
-- profile's anchor never reached ClickHouse: its active record was compacted away on tessera.profiles before the
-- writer read it (a writer behind by more than the compaction lag, a rebuild from scratch), or it was published
-- only as merged (resolvers before the fix that publishes a profile's active snapshot before its merge).
-- The stand-in anchor is the identifier the profile's earliest event was resolved by (events.id_type/id_value):
-- it was in that profile when the event was resolved, so identities says where it is now.

-- Per profile id: the identifier of its earliest event (smallest event_ms, then message_id). A materialized view with
-- its own table, POPULATEd from the events already written (events inserted while it populates may be missed by the
-- backfill; they are events of a running writer, whose profiles normally have their anchor rows). argMin is
-- idempotent under repeated inserts: a replay of the events changes nothing.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_anchors
ENGINE = AggregatingMergeTree() ORDER BY profile_id
POPULATE AS
SELECT profile_id, argMinState((id_type, id_value), (event_ms, message_id)) AS anchor
FROM {db}.events
WHERE profile_id != '' AND id_type != ''
GROUP BY profile_id;

-- profile_aliases as in 002, plus the stand-in anchors of profile ids that have no anchor row. A real anchor wins:
-- it is the identifier the profile was created from, which is what keeps the answer right after splits.
-- DROP TABLE drops a view too (18.16 has no DROP VIEW).
DROP TABLE IF EXISTS {db}.profile_aliases;

CREATE VIEW IF NOT EXISTS {db}.profile_aliases AS
SELECT
    alias_id,
    current_profile_id AS profile_id,
    id_type AS anchor_type,
    id_value AS anchor_value
FROM
(
    SELECT profile_id AS alias_id, id_type, id_value FROM {db}.profile_anchors FINAL
    UNION ALL
    SELECT profile_id AS alias_id, tupleElement(anchor, 1) AS id_type, tupleElement(anchor, 2) AS id_value
    FROM (SELECT profile_id, argMinMerge(anchor) AS anchor FROM {db}.event_anchors GROUP BY profile_id) AS ea
    WHERE profile_id NOT IN (SELECT profile_id FROM {db}.profile_anchors)
) AS a
ANY LEFT JOIN
(
    SELECT id_type, id_value, profile_id AS current_profile_id
    FROM {db}.identities FINAL
    WHERE profile_id != ''
) AS i USING (id_type, id_value)
WHERE current_profile_id != '' AND current_profile_id != alias_id;
