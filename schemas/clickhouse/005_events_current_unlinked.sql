-- events_current, corrected: an event whose identifier was unlinked on purpose (a contested shared device, an erased
-- identifier: identities.profile_id = '') has no current profile; only an identifier with no identities row yet
-- (not written so far) falls back to the profile the event was resolved to.
-- DROP TABLE drops a view too (18.16 has no DROP VIEW).
DROP TABLE IF EXISTS {db}.events_current;

CREATE VIEW IF NOT EXISTS {db}.events_current AS
SELECT
    *,
    if(known = 1, linked_profile_id, profile_id) AS current_profile_id
FROM (SELECT * FROM {db}.events FINAL) AS e
ANY LEFT JOIN
(
    SELECT id_type, id_value, profile_id AS linked_profile_id, toUInt8(1) AS known
    FROM {db}.identities FINAL
) AS i USING (id_type, id_value);
