-- Behavioural aggregates keyed by identifier (not by profile), mapped to the current profile at query time
-- through identities: a merge or a split re-groups mergeable states instead of rewriting rows (DESIGN.md §4).
-- The views use ANY LEFT JOIN + a filter, never ANY INNER JOIN: current releases made ANY INNER deduplicate the
-- left side too, which would drop activity rows.

-- Activity per primary identifier, day, call type and event name, as mergeable aggregate states.
CREATE TABLE IF NOT EXISTS {db}.profile_activity
(
    id_type      String,
    id_value     String,
    event_date   Date,
    type         String,
    event        String,
    events       AggregateFunction(count),
    sessions     AggregateFunction(uniq, String),
    revenue      AggregateFunction(sum, Float64),
    first_seen   AggregateFunction(min, DateTime),
    last_seen    AggregateFunction(max, DateTime),
    last_channel AggregateFunction(argMax, String, UInt64),
    countries    AggregateFunction(groupUniqArray, String),
    device_types AggregateFunction(groupUniqArray, String)
)
ENGINE = AggregatingMergeTree()
ORDER BY (id_type, id_value, event_date, type, event);

-- Fed by every insert into events (events without a linked identifier have nobody to attribute to).
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.profile_activity_mv TO {db}.profile_activity AS
SELECT
    id_type,
    id_value,
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
WHERE id_type != ''
GROUP BY id_type, id_value, event_date, type, event;

-- Latest value of each trait per identifier (traits and context.traits of the events).
CREATE TABLE IF NOT EXISTS {db}.identifier_traits
(
    id_type    String,
    id_value   String,
    trait      String,
    value      AggregateFunction(argMax, String, UInt64),
    updated_ms AggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree()
ORDER BY (id_type, id_value, trait);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.identifier_traits_mv TO {db}.identifier_traits AS
SELECT
    id_type,
    id_value,
    trait,
    argMaxState(trait_value, event_ms) AS value,
    maxState(event_ms) AS updated_ms
FROM {db}.events
ARRAY JOIN trait_keys AS trait, trait_values AS trait_value
WHERE id_type != ''
GROUP BY id_type, id_value, trait;

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
    SELECT id_type, id_value, profile_id
    FROM {db}.identities FINAL
    WHERE profile_id != ''
) AS i USING (id_type, id_value)
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
    SELECT id_type, id_value, profile_id
    FROM {db}.identities FINAL
    WHERE profile_id != ''
) AS i USING (id_type, id_value)
WHERE profile_id != ''
GROUP BY profile_id;

-- Latest value of each trait per CURRENT profile, across all its identifiers.
CREATE VIEW IF NOT EXISTS {db}.profile_traits_current AS
SELECT
    profile_id,
    trait,
    argMax(latest_value, latest_ms) AS value,
    max(latest_ms) AS updated_ms
FROM
(
    SELECT id_type, id_value, trait, argMaxMerge(value) AS latest_value, maxMerge(updated_ms) AS latest_ms
    FROM {db}.identifier_traits
    GROUP BY id_type, id_value, trait
) AS t
ANY LEFT JOIN
(
    SELECT id_type, id_value, profile_id
    FROM {db}.identities FINAL
    WHERE profile_id != ''
) AS i USING (id_type, id_value)
WHERE profile_id != ''
GROUP BY profile_id, trait;

-- Every event (deduplicated) with the profile its identifier belongs to NOW; falls back to the resolve-time profile.
CREATE VIEW IF NOT EXISTS {db}.events_current AS
SELECT
    *,
    if(linked_profile_id != '', linked_profile_id, profile_id) AS current_profile_id
FROM (SELECT * FROM {db}.events FINAL) AS e
ANY LEFT JOIN
(
    SELECT id_type, id_value, profile_id AS linked_profile_id
    FROM {db}.identities FINAL
    WHERE profile_id != ''
) AS i USING (id_type, id_value);
