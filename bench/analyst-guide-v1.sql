-- The analyst guide's queries as they were for the layout before migration 007 (events ordered by message_id, no
-- partitions; activity per identifier): docs/analyst-guide.md at 44f63c8. bench/layout.ts runs them on that layout
-- and the current guide's queries on the current one, over the same generated population.

-- Who is ada@example.org now, and what does the profile hold?
SELECT profile_id, state, identifier_count, first_seen, last_seen, arrayStringConcat(arrayMap((t, v) -> concat(t, ':', v), id_types, id_values), ', ') AS identifiers
FROM tessera.profiles FINAL
WHERE profile_id = (SELECT profile_id FROM tessera.identities FINAL WHERE id_type = 'email' AND id_value = 'ada@example.org');

-- Its identifiers, with the event that linked each one.
SELECT id_type, id_value, message_id, linked_at
FROM tessera.identities FINAL
WHERE profile_id = (SELECT profile_id FROM tessera.identities FINAL WHERE id_type = 'email' AND id_value = 'ada@example.org')
ORDER BY linked_at;

-- Its traits (latest value across all its identifiers).
SELECT trait, value, toDateTime(intDiv(updated_ms, 1000)) AS updated
FROM tessera.profile_traits_current
WHERE profile_id = (SELECT profile_id FROM tessera.identities FINAL WHERE id_type = 'email' AND id_value = 'ada@example.org')
ORDER BY trait;

-- Its behaviour over its whole life.
SELECT events, sessions, revenue, first_seen, last_seen, last_channel, countries, device_types
FROM tessera.profile_activity_totals
WHERE profile_id = (SELECT profile_id FROM tessera.identities FINAL WHERE id_type = 'email' AND id_value = 'ada@example.org');

-- Its recent events, including those written under profile ids it has since absorbed.
SELECT event_time, type, event, source, profile_id AS resolved_to, country, device_type, revenue
FROM tessera.events_current
WHERE current_profile_id = (SELECT profile_id FROM tessera.identities FINAL WHERE id_type = 'email' AND id_value = 'ada@example.org')
ORDER BY event_time DESC
LIMIT 20;

SELECT alias_id, profile_id AS current_profile_id, anchor_type, anchor_value
FROM tessera.profile_aliases
WHERE alias_id = 'p-cookie';

SELECT id_type, id_value, profile_id, message_id, linked_at
FROM tessera.identities FINAL
WHERE (id_type, id_value) IN (('email', 'ada@example.org'), ('anonymous_id', 'c-ada-1'));

-- The linking events themselves, with every identifier they carried.
SELECT message_id, event_time, type, source, identifiers
FROM tessera.events FINAL
WHERE message_id IN (
    SELECT message_id FROM tessera.identities FINAL
    WHERE (id_type, id_value) IN (('email', 'ada@example.org'), ('anonymous_id', 'c-ada-1')))
   OR (has(identifiers, 'email:ada@example.org') AND has(identifiers, 'anonymous_id:c-ada-1'))
ORDER BY event_time;

-- The merges that brought their profiles together.
SELECT kind, from_profile, into_profile, message_id, event_time
FROM tessera.identity_changes FINAL
WHERE into_profile = (SELECT profile_id FROM tessera.identities FINAL WHERE id_type = 'email' AND id_value = 'ada@example.org')
ORDER BY event_time;

SELECT message_id, event_time, profile_id, refused, refusal_codes
FROM tessera.events FINAL
WHERE notEmpty(refused) OR notEmpty(dropped_types) OR profile_id = 'p-bob'
ORDER BY event_time DESC
LIMIT 20;

SELECT toDate(event_time) AS day, country, device_type, uniqExact(current_profile_id) AS active_profiles, count() AS events
FROM tessera.events_current
WHERE current_profile_id != '' AND event_time >= toDateTime('2026-01-01 00:00:00')
GROUP BY day, country, device_type
ORDER BY day, active_profiles DESC, country, device_type;

SELECT country, region, channel, events, profiles, round(100 * events / region_events, 1) AS share_pct
FROM
(
    SELECT country, region, source AS channel, count() AS events, uniqExact(current_profile_id) AS profiles
    FROM tessera.events_current
    GROUP BY country, region, channel
) AS c
ANY LEFT JOIN
(
    SELECT country, region, count() AS region_events
    FROM tessera.events FINAL
    GROUP BY country, region
) AS r USING (country, region)
ORDER BY country, region, events DESC;

SELECT profile_id, event_date, type, event, events, revenue, last_channel
FROM tessera.profile_activity_current
ORDER BY profile_id, event_date, type, event;
