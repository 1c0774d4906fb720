-- A tiny sample population for checking the documented queries (infra/local/check-sql.ts); not used in production.
-- Ada bought in the iOS app (profile p-ada), browsed the web with cookie c-ada-1 (profile p-cookie), then logged in on
-- the web with her email: p-cookie merged into the older p-ada. Bob came through support and the Android app. A kiosk
-- device seen with too many people was unlinked on purpose. Events carry their claim key (readable keys here); claims
-- says how the link stage linked each claim.
INSERT INTO {db}.events (message_id, type, event, user_id, anonymous_id, claim_key, identifiers, dropped_types, dropped_codes, event_time, event_ms, source, country, region, device_id, device_type, revenue, session_key, trait_keys, trait_values, src_topic, src_partition, src_offset) VALUES
 ('m-1', 'page', '', '', 'c-ada-1', 'c_ada_cookie', ['anonymous_id:c-ada-1'], [], [], '2026-01-01 10:00:00', 1767261600000, 'web', 'DE', 'BE', '', 'desktop', 0, 's1', [], [], 'sample', 0, 1),
 ('m-2', 'identify', '', 'u-ada', 'c-ada-1', 'c_ada_login', ['user_id:u-ada', 'anonymous_id:c-ada-1', 'email:ada@example.org'], [], [], '2026-01-01 10:05:00', 1767261900000, 'web', 'DE', 'BE', '', 'desktop', 0, 's1', ['email', 'plan'], ['ada@example.org', 'free'], 'sample', 0, 2),
 ('m-3', 'track', 'Order Completed', 'u-ada', '', 'c_ada_app', ['user_id:u-ada'], [], [], '2026-01-01 09:00:00', 1767258000000, 'ios', 'DE', 'HH', '', 'mobile', 42.5, 's2', ['plan'], ['pro'], 'sample', 0, 3),
 ('m-4', 'track', 'Ticket Opened', '', '', 'c_bob_email', ['email:bob@example.org'], ['phone'], ['INVALID'], '2026-01-02 09:00:00', 1767344400000, 'support', 'FR', 'IDF', '', '', 0, 's3', [], [], 'sample', 0, 4),
 ('m-5', 'screen', 'Home', '', 'c-bob', 'c_bob_app', ['anonymous_id:c-bob'], [], [], '2026-01-02 09:30:00', 1767346200000, 'android', 'FR', 'IDF', '', 'mobile', 0, 's4', [], [], 'sample', 0, 5),
 ('m-6', 'page', '', '', 'c-kiosk', 'c_kiosk', ['device_id:d-kiosk', 'anonymous_id:c-kiosk'], [], [], '2026-01-03 12:00:00', 1767441600000, 'web', 'DE', 'BE', 'd-kiosk', 'desktop', 0, 's5', [], [], 'sample', 0, 6);
INSERT INTO {db}.claims (claim_key, primary_type, primary_value, profile_id, message_id, event_time, version) VALUES
 ('c_ada_cookie', 'anonymous_id', 'c-ada-1', 'p-cookie', 'm-1', '2026-01-01 10:00:00', 1),
 ('c_ada_login', 'user_id', 'u-ada', 'p-ada', 'm-2', '2026-01-01 10:05:00', 3),
 ('c_ada_app', 'user_id', 'u-ada', 'p-ada', 'm-3', '2026-01-01 09:00:00', 3),
 ('c_bob_email', 'email', 'bob@example.org', 'p-bob', 'm-4', '2026-01-02 09:00:00', 4),
 ('c_bob_app', 'anonymous_id', 'c-bob', 'p-bob', 'm-5', '2026-01-02 09:30:00', 5),
 ('c_kiosk', 'device_id', 'd-kiosk', 'p-kiosk', 'm-6', '2026-01-03 12:00:00', 6);
INSERT INTO {db}.identities (id_type, id_value, profile_id, message_id, linked_at, version) VALUES
 ('anonymous_id', 'c-ada-1', 'p-cookie', 'm-1', '2026-01-01 10:00:00', 1),
 ('anonymous_id', 'c-ada-1', 'p-ada', 'm-2', '2026-01-01 10:05:00', 3),
 ('user_id', 'u-ada', 'p-ada', 'm-3', '2026-01-01 09:00:00', 3),
 ('email', 'ada@example.org', 'p-ada', 'm-2', '2026-01-01 10:05:00', 3),
 ('email', 'bob@example.org', 'p-bob', 'm-4', '2026-01-02 09:00:00', 4),
 ('anonymous_id', 'c-bob', 'p-bob', 'm-5', '2026-01-02 09:30:00', 5),
 ('device_id', 'd-kiosk', 'p-kiosk', 'm-6', '2026-01-03 12:00:00', 6),
 ('anonymous_id', 'c-kiosk', 'p-kiosk', 'm-6', '2026-01-03 12:00:00', 6),
 ('device_id', 'd-kiosk', '', 'm-7', '2026-01-03 13:00:00', 8);
INSERT INTO {db}.profiles (profile_id, state, merged_into, id_types, id_values, identifier_count, first_seen, last_seen, version) VALUES
 ('p-cookie', 'active', '', ['anonymous_id'], ['c-ada-1'], 1, '2026-01-01 10:00:00', '2026-01-01 10:00:00', 1),
 ('p-cookie', 'merged', 'p-ada', [], [], 0, '2026-01-01 10:00:00', '2026-01-01 10:00:00', 2),
 ('p-ada', 'active', '', ['anonymous_id', 'email', 'user_id'], ['c-ada-1', 'ada@example.org', 'u-ada'], 3, '2026-01-01 09:00:00', '2026-01-01 10:05:00', 3),
 ('p-bob', 'active', '', ['anonymous_id', 'email'], ['c-bob', 'bob@example.org'], 2, '2026-01-02 09:00:00', '2026-01-02 09:30:00', 5),
 ('p-kiosk', 'active', '', ['anonymous_id'], ['c-kiosk'], 1, '2026-01-03 12:00:00', '2026-01-03 12:00:00', 8);
INSERT INTO {db}.profile_anchors (profile_id, id_type, id_value) VALUES
 ('p-cookie', 'anonymous_id', 'c-ada-1'), ('p-ada', 'user_id', 'u-ada'), ('p-bob', 'email', 'bob@example.org'), ('p-kiosk', 'device_id', 'd-kiosk');
INSERT INTO {db}.identity_changes (kind, from_profile, into_profile, id_type, id_value, message_id, event_time, event_ms, version, src_topic, src_partition, src_offset) VALUES
 ('merge', 'p-cookie', 'p-ada', '', '', 'm-2', '2026-01-01 10:05:00', 1767261900000, 2, 'sample-merges', 0, 1),
 ('move', 'p-kiosk', '', 'device_id', 'd-kiosk', 'm-7', '2026-01-03 13:00:00', 1767445200000, 8, 'sample-merges', 0, 2);
