-- On the new layout: the materialized views that keep the aggregates and the writer's watermarks, the analysts' views
-- under their old names and meaning, and a copy of what the old tables held.
-- An event is attributed through its claim: claim_key → claims (primary identifier) → identities (current profile),
-- one join through the claim_profiles view. The views use ANY LEFT JOIN + a filter, never ANY INNER JOIN (current
-- releases made ANY INNER deduplicate the left side too), and one JOIN per SELECT (18.16 has no multiple joins).

-- Aggregates per claim, fed by every insert into events (an event without identifiers has nobody to attribute to).
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.profile_activity_mv TO {db}.profile_activity AS
SELECT
    claim_key,
    toDate(event_time) AS event_date,
    type,
    event,
    countState() AS events,
    uniqState(session_key) AS sessions,
    sumState(revenue) AS revenue,
    minState(event_time) AS first_seen,
    maxState(event_time) AS last_seen,
    argMaxState(source, event_ms) AS last_channel,
    groupUniqArrayState(country) AS countries,
    groupUniqArrayState(device_type) AS device_types
FROM {db}.events
WHERE claim_key != ''
GROUP BY claim_key, event_date, type, event;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.profile_traits_mv TO {db}.profile_traits AS
SELECT
    claim_key,
    trait,
    argMaxState(trait_value, event_ms) AS value,
    maxState(event_ms) AS updated_ms
FROM {db}.events
ARRAY JOIN trait_keys AS trait, trait_values AS trait_value
WHERE claim_key != ''
GROUP BY claim_key, trait;

-- The identifier of each resolve-time profile's earliest event (006), for profile_aliases: as in 006, on the new events
-- (rows of the resolved stream and of the layout before carry a resolve-time profile; rows from touchpoints do not).
-- The copy below fills it; on an empty database POPULATE has nothing to read.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_anchors
ENGINE = AggregatingMergeTree() ORDER BY profile_id
POPULATE AS
SELECT profile_id, argMinState((id_type, id_value), (event_ms, message_id)) AS anchor
FROM {db}.events
WHERE profile_id != '' AND id_type != ''
GROUP BY profile_id;

-- The writer's watermarks: each insert's highest source offset per table partition and source partition.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.events_watermark_mv TO {db}.writer_watermarks AS
SELECT 'events' AS target, toString(toYYYYMM(event_time)) AS table_partition, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.events GROUP BY table_partition, src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.claims_watermark_mv TO {db}.writer_watermarks AS
SELECT 'claims' AS target, '' AS table_partition, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.claims GROUP BY src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.profiles_watermark_mv TO {db}.writer_watermarks AS
SELECT 'profiles' AS target, '' AS table_partition, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.profiles GROUP BY src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.identities_watermark_mv TO {db}.writer_watermarks AS
SELECT 'identities' AS target, '' AS table_partition, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.identities GROUP BY src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.profile_anchors_watermark_mv TO {db}.writer_watermarks AS
SELECT 'profile_anchors' AS target, '' AS table_partition, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.profile_anchors GROUP BY src_topic, src_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.identity_changes_watermark_mv TO {db}.writer_watermarks AS
SELECT 'identity_changes' AS target, '' AS table_partition, src_topic, src_partition, max(src_offset) AS src_offset
FROM {db}.identity_changes GROUP BY src_topic, src_partition;

-- The analysts' views, rebuilt on the per-claim aggregates (same names, same columns, same meaning); the aggregates
-- are rebuilt below from the copied events.
DROP TABLE IF EXISTS {db}.events_current;
DROP TABLE IF EXISTS {db}.profile_activity_current;
DROP TABLE IF EXISTS {db}.profile_activity_totals;
DROP TABLE IF EXISTS {db}.profile_traits_current;

-- Every claim with its primary identifier and the profile that identifier belongs to now. profile_id is empty when
-- the identifier was unlinked on purpose (contested shared device, erasure: known = 1) or when identities does not
-- know it (yet: known = 0), and when the claim has no linked identifier.
CREATE VIEW IF NOT EXISTS {db}.claim_profiles AS
SELECT
    claim_key,
    id_type AS primary_type,
    id_value AS primary_value,
    profile_id,
    known
FROM (SELECT claim_key, primary_type AS id_type, primary_value AS id_value FROM {db}.claims FINAL) AS c
ANY LEFT JOIN
(
    SELECT id_type, id_value, profile_id, toUInt8(1) AS known
    FROM {db}.identities FINAL
) AS i USING (id_type, id_value);

-- Every event (deduplicated with FINAL) with the profile it belongs to NOW: its claim's primary identifier's profile.
-- Empty when that identifier was unlinked on purpose (contested shared device, erasure), when the claim has no linked
-- identifier, or when the link stage has not published the claim yet; the resolve-time profile_id (old rows, resolved
-- stream) only when identities does not know the identifier (yet).
CREATE VIEW IF NOT EXISTS {db}.events_current AS
SELECT
    *,
    if(known = 1, linked_profile_id, profile_id) AS current_profile_id
FROM (SELECT * FROM {db}.events FINAL) AS e
ANY LEFT JOIN
(
    SELECT claim_key, primary_type, primary_value, profile_id AS linked_profile_id, known
    FROM {db}.claim_profiles
) AS c USING (claim_key);

-- Activity per CURRENT profile, day, call type and event name.
CREATE VIEW IF NOT EXISTS {db}.profile_activity_current AS
SELECT
    profile_id,
    event_date,
    type,
    event,
    countMerge(events) AS events,
    uniqMerge(sessions) AS sessions,
    sumMerge(revenue) AS revenue,
    minMerge(first_seen) AS first_seen,
    maxMerge(last_seen) AS last_seen,
    argMaxMerge(last_channel) AS last_channel,
    arrayFilter(x -> x != '', groupUniqArrayMerge(countries)) AS countries,
    arrayFilter(x -> x != '', groupUniqArrayMerge(device_types)) AS device_types
FROM {db}.profile_activity AS a
ANY LEFT JOIN
(
    SELECT claim_key, profile_id FROM {db}.claim_profiles WHERE profile_id != ''
) AS c USING (claim_key)
WHERE profile_id != ''
GROUP BY profile_id, event_date, type, event;

-- Lifetime activity per CURRENT profile (one row per profile): the profile 360's behaviour block.
CREATE VIEW IF NOT EXISTS {db}.profile_activity_totals AS
SELECT
    profile_id,
    countMerge(events) AS events,
    uniqMerge(sessions) AS sessions,
    sumMerge(revenue) AS revenue,
    minMerge(first_seen) AS first_seen,
    maxMerge(last_seen) AS last_seen,
    argMaxMerge(last_channel) AS last_channel,
    arrayFilter(x -> x != '', groupUniqArrayMerge(countries)) AS countries,
    arrayFilter(x -> x != '', groupUniqArrayMerge(device_types)) AS device_types
FROM {db}.profile_activity AS a
ANY LEFT JOIN
(
    SELECT claim_key, profile_id FROM {db}.claim_profiles WHERE profile_id != ''
) AS c USING (claim_key)
WHERE profile_id != ''
GROUP BY profile_id;

-- Latest value of each trait per CURRENT profile, across all its claims.
CREATE VIEW IF NOT EXISTS {db}.profile_traits_current AS
SELECT
    profile_id,
    trait,
    argMax(latest_value, latest_ms) AS value,
    max(latest_ms) AS updated_ms
FROM
(
    SELECT claim_key, trait, argMaxMerge(value) AS latest_value, maxMerge(updated_ms) AS latest_ms
    FROM {db}.profile_traits
    GROUP BY claim_key, trait
) AS t
ANY LEFT JOIN
(
    SELECT claim_key, profile_id FROM {db}.claim_profiles WHERE profile_id != ''
) AS c USING (claim_key)
WHERE profile_id != ''
GROUP BY profile_id, trait;

-- What the old tables held. The watermarks of the unpartitioned tables carry over as they are; the old events are
-- copied with their source offsets (the views above feed the aggregates and the per-month watermarks from the copy).
-- An old row has no claim key (the key is computed from the touchpoint): it gets v1:<type>:<value> of the primary
-- identifier it was resolved to, and that key a claims row (version 0) naming it, so that old and new rows are
-- attributed alike. Its identifiers become what the event carried (linked + refused), as on new rows.
-- Each copy skips what is already there, so an interrupted migration finishes on the next run.
INSERT INTO {db}.writer_watermarks (target, table_partition, src_topic, src_partition, src_offset)
SELECT target, '', src_topic, src_partition, max(src_offset)
FROM {db}.writer_watermarks_v1
WHERE target != 'events' AND (target, src_topic, src_partition) NOT IN (SELECT target, src_topic, src_partition FROM {db}.writer_watermarks)
GROUP BY target, src_topic, src_partition;

INSERT INTO {db}.claims (claim_key, primary_type, primary_value, profile_id, message_id, event_time, version, src_topic, src_partition, src_offset)
SELECT concat('v1:', id_type, ':', id_value), id_type, id_value, argMin(profile_id, event_ms), argMin(message_id, event_ms), min(event_time), 0, '', 0, 0
FROM {db}.events_v1 FINAL
WHERE id_type != '' AND concat('v1:', id_type, ':', id_value) NOT IN (SELECT claim_key FROM {db}.claims)
GROUP BY id_type, id_value;

INSERT INTO {db}.events (message_id, type, event, name, user_id, anonymous_id, claim_key, identifiers, dropped_types, dropped_codes,
    profile_id, id_type, id_value, refused, refusal_codes, event_time, event_ms, received_at, source, ip, user_agent, locale, timezone,
    page_path, page_url, page_referrer, page_title, utm_source, utm_medium, utm_campaign, device_id, device_type, device_model, os_name,
    app_name, app_version, country, region, city, revenue, currency, session_key, trait_keys, trait_values, property_keys,
    property_values, src_topic, src_partition, src_offset)
SELECT message_id, type, event, name, user_id, anonymous_id, if(id_type != '', concat('v1:', id_type, ':', id_value), ''),
    arrayConcat(identifiers, refused), dropped_types, dropped_codes,
    profile_id, id_type, id_value, refused, refusal_codes, event_time, event_ms, received_at, source, ip, user_agent, locale, timezone,
    page_path, page_url, page_referrer, page_title, utm_source, utm_medium, utm_campaign, device_id, device_type, device_model, os_name,
    app_name, app_version, country, region, city, revenue, currency, session_key, trait_keys, trait_values, property_keys,
    property_values, src_topic, src_partition, src_offset
FROM {db}.events_v1 FINAL
WHERE message_id NOT IN (SELECT message_id FROM {db}.events);
