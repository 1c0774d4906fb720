-- The analysts' database (docs/privacy.md, PII kept from analysts): the same facts with every identifier replaced by
-- its keyed hash (HMAC-SHA256 of type NUL value under the operator's secret, services/privacy/keyed-hash.ts), no IP,
-- user agent, page URL or trait values. Analysts get a ClickHouse user that may read only this database.
-- 18.16 checks database access on every table a query reads, views included, so these are tables, fed by
-- materialized views in the raw database: the HMAC is computed there, where analysts cannot read the view's definition
-- (it holds the key's pads). The feed is created by `tessera migrate` when a key is configured (analyst-feed.ts).
CREATE DATABASE IF NOT EXISTS {db}_analyst;

-- Events whose consent allows analytics (or that said nothing about consent).
CREATE TABLE IF NOT EXISTS {db}_analyst.events
(
    message_id       String,
    type             String,
    event            String,
    name             String,
    user_hash        String  COMMENT 'keyed hash of user_id; empty when the event had none',
    anonymous_hash   String  COMMENT 'keyed hash of anonymous_id',
    claim_hash       String  COMMENT 'keyed hash of the claim key: joins claims.claim_hash',
    identifiers      Array(String) COMMENT 'type:keyed hash of every identifier of the event',
    event_time       DateTime('UTC'),
    event_ms         UInt64,
    received_at      DateTime('UTC'),
    source           String,
    locale           String,
    timezone         String,
    page_path        String,
    page_title       String,
    utm_source       String,
    utm_medium       String,
    utm_campaign     String,
    device_hash      String  COMMENT 'keyed hash of the device id',
    device_type      String,
    device_model     String,
    os_name          String,
    app_name         String,
    app_version      String,
    country          String,
    region           String,
    city             String,
    revenue          Float64,
    currency         String,
    session_hash     String  COMMENT 'keyed hash of the session key (it holds a device or cookie id)',
    trait_keys       Array(String) COMMENT 'names of the traits sent, not their values',
    property_keys    Array(String),
    property_values  Array(String),
    consent_purposes Array(String)
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (toMonday(event_time), claim_hash, message_id);

-- Identifier (as its keyed hash) → current profile; profile_id empty once unlinked or erased. Query with FINAL.
CREATE TABLE IF NOT EXISTS {db}_analyst.identities
(
    id_type    String,
    id_hash    String,
    profile_id String,
    linked_at  DateTime,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (id_type, id_hash);

-- Claim (as its keyed hash) → its primary identifier (as its keyed hash). Query with FINAL.
CREATE TABLE IF NOT EXISTS {db}_analyst.claims
(
    claim_hash   String,
    primary_type String,
    primary_hash String,
    profile_id   String COMMENT 'profile at link time; the current one is the primary identifier''s in identities',
    event_time   DateTime,
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY claim_hash;

-- Every event with the profile it belongs to now, as events_current in the raw database.
CREATE VIEW IF NOT EXISTS {db}_analyst.events_current AS
SELECT *, profile_id AS current_profile_id
FROM (SELECT * FROM {db}_analyst.events FINAL) AS e
ANY LEFT JOIN
(
    SELECT claim_hash, profile_id
    FROM (SELECT claim_hash, primary_type AS id_type, primary_hash AS id_hash FROM {db}_analyst.claims FINAL) AS c
    ANY INNER JOIN (SELECT id_type, id_hash, profile_id FROM {db}_analyst.identities FINAL WHERE profile_id != '') AS i USING (id_type, id_hash)
) AS p USING (claim_hash);
