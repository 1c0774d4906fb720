-- Privacy requests as audited (docs/privacy.md): one row per request and step (graph: the link stage's answer or
-- erasure; warehouse: what an erasure removed from ClickHouse; export). Free of personal data: the identifier is its
-- keyed hash (HMAC-SHA256 under TESSERA_PRIVACY_HASH_KEY). version 0 = pending (counts taken before the mutations,
-- kept so that an erasure resumed after a crash reports what the first attempt found), 1 = final.
CREATE TABLE IF NOT EXISTS {db}.privacy_audit
(
    request_id     String,
    kind           String  COMMENT 'erase | export',
    step           String  COMMENT 'graph | warehouse | export',
    outcome        String  COMMENT 'erased | rejected | unknown | already_erased | duplicate | exported | pending',
    code           String  COMMENT 'TSR_PRIVACY_… code of a refusal; empty when the step succeeded',
    final          UInt8,
    id_hash        String  COMMENT 'keyed hash of the normalised identifier; empty when the request could not be read',
    id_type        String,
    requested_by   String,
    requested_at   DateTime,
    reason         String,
    count_names    Array(String) COMMENT 'what was removed (claims, profiles, rows per table), aligned with count_values',
    count_values   Array(UInt64),
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (request_id, step);
