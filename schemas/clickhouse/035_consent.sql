-- Consent (docs/privacy.md, Consent): what each event carried, and each profile's current consent.
-- consent_said = 0: the touchpoint said nothing about consent (Segment: no change); consent_purposes then is empty.
-- 18.16 has no ADD COLUMN IF NOT EXISTS: the migration runner skips an ADD COLUMN whose column exists (re-runnable).
ALTER TABLE {db}.events ADD COLUMN consent_said UInt8 COMMENT '1 when the touchpoint carried consent (context.consent.categoryPreferences)';
ALTER TABLE {db}.events ADD COLUMN consent_purposes Array(String) COMMENT 'purposes that consent granted: advertising, analytics, personalisation';

-- A view's columns are fixed when it is created (18.16 expands the *): events_current is created again, as in 009, so
-- that it shows the consent columns.
DROP TABLE IF EXISTS {db}.events_current;
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

-- The latest consent each claim carried, by event time (a later withdrawal wins over an earlier grant, whatever the
-- order events arrive in). Fed by the events the writer inserts from now on.
CREATE TABLE IF NOT EXISTS {db}.consent_by_claim
(
    claim_key  String,
    purposes   AggregateFunction(argMax, Array(String), UInt64),
    updated_ms AggregateFunction(max, UInt64)
)
ENGINE = AggregatingMergeTree()
ORDER BY claim_key;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.consent_by_claim_mv TO {db}.consent_by_claim AS
SELECT claim_key, argMaxState(consent_purposes, event_ms) AS purposes, maxState(event_ms) AS updated_ms
FROM {db}.events
WHERE consent_said = 1 AND claim_key != ''
GROUP BY claim_key;

-- Each profile's current consent: the latest any of its claims carried (claims regroup when profiles merge or split).
-- A profile that never said anything has no row: its events count as consenting to analytics and personalisation,
-- never to advertising (docs/privacy.md).
CREATE VIEW IF NOT EXISTS {db}.profile_consent AS
SELECT
    profile_id,
    argMax(claim_purposes, claim_updated_ms) AS purposes,
    toUInt8(has(purposes, 'advertising')) AS advertising,
    toUInt8(has(purposes, 'analytics')) AS analytics,
    toUInt8(has(purposes, 'personalisation')) AS personalisation,
    toDateTime(intDiv(max(claim_updated_ms), 1000), 'UTC') AS updated_at
FROM
(
    SELECT claim_key, argMaxMerge(purposes) AS claim_purposes, maxMerge(updated_ms) AS claim_updated_ms
    FROM {db}.consent_by_claim
    GROUP BY claim_key
) AS c
ANY INNER JOIN
(
    SELECT claim_key, profile_id FROM {db}.claim_profiles WHERE profile_id != ''
) AS p USING (claim_key)
GROUP BY profile_id;
