-- Recommendations (docs/recommendations.md): item-to-item collaborative filtering on implicit feedback, computed in
-- ClickHouse by `tessera recommend refresh`. Every table is partitioned by run (the refresh's instant in ms): a run
-- fills its own partition, then one row in recommendation_runs makes it the latest, so readers never see half a run;
-- partitions of runs older than the previous one are dropped.

-- Implicit feedback per profile and item: weighted views, cart adds and purchases up to the run's instant.
CREATE TABLE IF NOT EXISTS {db}.rec_interactions
(
    run        UInt64,
    profile_id String,
    item       String,
    weight     Float64 COMMENT 'sum of the weights of its events (view, cart add, purchase)',
    events     UInt32,
    last_ms    UInt64
)
ENGINE = MergeTree()
PARTITION BY run
ORDER BY (profile_id, item);

-- Item → its most similar items (cosine of the profiles × items matrix of log(1 + weight)), with how many profiles
-- have both.
CREATE TABLE IF NOT EXISTS {db}.item_similarity
(
    run        UInt64,
    item       String,
    neighbour  String,
    similarity Float64,
    together   UInt32
)
ENGINE = MergeTree()
PARTITION BY run
ORDER BY (item, neighbour);

-- Top N per profile: rank 1 first; source = similar (collaborative filtering) or popular (fallback for cold profiles
-- and to fill short lists).
CREATE TABLE IF NOT EXISTS {db}.recommendations
(
    run        UInt64,
    profile_id String,
    rank       UInt16,
    item       String,
    score      Float64,
    source     String
)
ENGINE = MergeTree()
PARTITION BY run
ORDER BY (profile_id, rank);

-- One row per finished run; the latest one is the run readers see.
CREATE TABLE IF NOT EXISTS {db}.recommendation_runs
(
    run           UInt64,
    as_of         DateTime,
    profiles      UInt64,
    cold_profiles UInt64 COMMENT 'profiles with no interaction: popular items only',
    items         UInt64,
    took_ms       UInt64
)
ENGINE = MergeTree()
ORDER BY run;

CREATE VIEW IF NOT EXISTS {db}.recommendations_latest AS
SELECT profile_id, rank, item, score, source
FROM {db}.recommendations
WHERE run = (SELECT max(run) FROM {db}.recommendation_runs);

CREATE VIEW IF NOT EXISTS {db}.item_similarity_latest AS
SELECT item, neighbour, similarity, together
FROM {db}.item_similarity
WHERE run = (SELECT max(run) FROM {db}.recommendation_runs);
