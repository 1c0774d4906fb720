-- A tiny sample population for checking the documented queries (infra/local/check-sql.ts); not used in production.
-- Ada bought in the iOS app (profile p-ada), browsed the web with cookie c-ada-1 (profile p-cookie), then logged in on
-- the web with her email: p-cookie merged into the older p-ada. Bob came through support and the Android app.
INSERT INTO {db}.events (message_id, type, event, user_id, anonymous_id, profile_id, id_type, id_value, event_time, event_ms, source, country, region, device_type, revenue, session_key, trait_keys, trait_values, identifiers, src_topic, src_partition, src_offset) VALUES
 ('m-1', 'page', '', '', 'c-ada-1', 'p-cookie', 'anonymous_id', 'c-ada-1', '2026-01-01 10:00:00', 1767261600000, 'web', 'DE', 'BE', 'desktop', 0, 's1', [], [], ['anonymous_id:c-ada-1'], 'sample', 0, 1),
 ('m-2', 'identify', '', 'u-ada', 'c-ada-1', 'p-ada', 'user_id', 'u-ada', '2026-01-01 10:05:00', 1767261900000, 'web', 'DE', 'BE', 'desktop', 0, 's1', ['email', 'plan'], ['ada@example.org', 'free'], ['user_id:u-ada', 'anonymous_id:c-ada-1', 'email:ada@example.org'], 'sample', 0, 2),
 ('m-3', 'track', 'Order Completed', 'u-ada', '', 'p-ada', 'user_id', 'u-ada', '2026-01-01 09:00:00', 1767258000000, 'ios', 'DE', 'HH', 'mobile', 42.5, 's2', ['plan'], ['pro'], ['user_id:u-ada'], 'sample', 0, 3),
 ('m-4', 'track', 'Ticket Opened', '', '', 'p-bob', 'email', 'bob@example.org', '2026-01-02 09:00:00', 1767344400000, 'support', 'FR', 'IDF', '', 0, 's3', [], [], ['email:bob@example.org'], 'sample', 0, 4),
 ('m-5', 'screen', 'Home', '', 'c-bob', 'p-bob', 'anonymous_id', 'c-bob', '2026-01-02 09:30:00', 1767346200000, 'android', 'FR', 'IDF', 'mobile', 0, 's4', [], [], ['anonymous_id:c-bob'], 'sample', 0, 5);
INSERT INTO {db}.identities (id_type, id_value, profile_id, message_id, linked_at, version) VALUES
 ('anonymous_id', 'c-ada-1', 'p-cookie', 'm-1', '2026-01-01 10:00:00', 1),
 ('anonymous_id', 'c-ada-1', 'p-ada', 'm-2', '2026-01-01 10:05:00', 3),
 ('user_id', 'u-ada', 'p-ada', 'm-3', '2026-01-01 09:00:00', 3),
 ('email', 'ada@example.org', 'p-ada', 'm-2', '2026-01-01 10:05:00', 3),
 ('email', 'bob@example.org', 'p-bob', 'm-4', '2026-01-02 09:00:00', 4),
 ('anonymous_id', 'c-bob', 'p-bob', 'm-5', '2026-01-02 09:30:00', 5);
INSERT INTO {db}.profiles (profile_id, state, merged_into, id_types, id_values, identifier_count, first_seen, last_seen, version) VALUES
 ('p-cookie', 'active', '', ['anonymous_id'], ['c-ada-1'], 1, '2026-01-01 10:00:00', '2026-01-01 10:00:00', 1),
 ('p-cookie', 'merged', 'p-ada', [], [], 0, '2026-01-01 10:00:00', '2026-01-01 10:00:00', 2),
 ('p-ada', 'active', '', ['anonymous_id', 'email', 'user_id'], ['c-ada-1', 'ada@example.org', 'u-ada'], 3, '2026-01-01 09:00:00', '2026-01-01 10:05:00', 3),
 ('p-bob', 'active', '', ['anonymous_id', 'email'], ['c-bob', 'bob@example.org'], 2, '2026-01-02 09:00:00', '2026-01-02 09:30:00', 5);
INSERT INTO {db}.profile_anchors (profile_id, id_type, id_value) VALUES
 ('p-cookie', 'anonymous_id', 'c-ada-1'), ('p-ada', 'user_id', 'u-ada'), ('p-bob', 'email', 'bob@example.org');
INSERT INTO {db}.identity_changes (kind, from_profile, into_profile, message_id, event_time, event_ms, version) VALUES
 ('merge', 'p-cookie', 'p-ada', 'm-2', '2026-01-01 10:05:00', 1767261900000, 2);
