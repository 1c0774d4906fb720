-- Regional patterns (docs/themes.md): key phrases and sentiment of free text (tickets, survey answers, social
-- mentions), per region and week, and the channel and device mix by region. text_analyses is filled by
-- `tessera themes refresh`; it holds no text, only phrases taken from text with emails, phone numbers, URLs and
-- handles removed, and the message id, so an erased event's analysis can be found and dropped.

-- One row per analysed event (ReplacingMergeTree: a re-analysis replaces it).
CREATE TABLE IF NOT EXISTS {db}.text_analyses
(
    message_id  String,
    profile_id  String   COMMENT 'the event''s profile when analysed',
    event       String,
    source      String,
    country     String   COMMENT 'the event''s location, else its profile''s latest known one',
    region      String,
    event_time  DateTime,
    sentiment   Float32  COMMENT '-1 negative … 1 positive',
    phrases     Array(String) COMMENT 'lemmatised noun phrases, PII removed before reading',
    analysed_ms UInt64
)
ENGINE = ReplacingMergeTree(analysed_ms)
ORDER BY message_id;

-- Mentions of each phrase per region and week (Monday), with the people writing them and their mean sentiment.
-- Only phrases at least 3 people wrote in that region and week: an analyst sees themes, not a person's words.
CREATE VIEW IF NOT EXISTS {db}.region_themes_weekly AS
SELECT country, region, week, phrase, mentions, people, round(sentiment, 2) AS sentiment
FROM
(
    SELECT country, region, toMonday(event_time) AS week, phrase, count() AS mentions, uniqExact(profile_id) AS people, avg(sentiment) AS sentiment
    FROM {db}.text_analyses FINAL
    ARRAY JOIN phrases AS phrase
    GROUP BY country, region, week, phrase
)
WHERE people >= 3;

-- Themes rising in each region: mentions per day in the latest 14 days of text against the days before (up to 28, as
-- many as there is text for; +1 smoothed), and the lift against all regions in those 14 days. rising = 1 when the rate
-- at least doubled and by more than chance: of all the phrase's mentions in the region, the recent period holds at
-- least 3 standard deviations more than its share of the days predicts (surprise, a binomial z-score), so a handful
-- of mentions in a small region does not rise by luck. The latest 14 days end at the newest analysed text, so a replayed or imported history reads the
-- same way as live data. Same 3-people threshold.
CREATE VIEW IF NOT EXISTS {db}.region_themes_rising AS
SELECT country, region, phrase, recent_mentions, recent_people, earlier_mentions, round(recent_sentiment, 2) AS recent_sentiment,
       earlier_days,
       round((recent_mentions / 14) / ((earlier_mentions + 1) / earlier_days), 2) AS growth,
       14 / (14 + earlier_days) AS recent_share,
       round((recent_mentions - (recent_mentions + earlier_mentions) * recent_share)
             / sqrt((recent_mentions + earlier_mentions) * recent_share * (1 - recent_share)), 2) AS surprise,
       toUInt8(growth >= 2 AND surprise >= 3) AS rising,
       round((recent_mentions / region_recent) / (phrase_recent / all_recent), 2) AS lift
FROM
(
    SELECT country, region, phrase, recent_mentions, recent_people, earlier_mentions, recent_sentiment, phrase_recent, region_recent,
           (SELECT countIf(event_time > (SELECT max(event_time) FROM {db}.text_analyses) - 14 * 86400) FROM {db}.text_analyses FINAL ARRAY JOIN phrases AS phrase) AS all_recent,
           (SELECT greatest(1, (toUInt32(max(event_time)) - 14 * 86400 - greatest(toUInt32(min(event_time)), toUInt32(max(event_time)) - 42 * 86400)) / 86400) FROM {db}.text_analyses) AS earlier_days
    FROM
    (
        SELECT country, region, phrase, recent_mentions, recent_people, earlier_mentions, recent_sentiment, phrase_recent
        FROM
        (
            SELECT country, region, phrase,
                   countIf(event_time > latest - 14 * 86400) AS recent_mentions,
                   uniqExactIf(profile_id, event_time > latest - 14 * 86400) AS recent_people,
                   countIf(event_time <= latest - 14 * 86400 AND event_time > latest - 42 * 86400) AS earlier_mentions,
                   avgIf(sentiment, event_time > latest - 14 * 86400) AS recent_sentiment
            FROM (SELECT *, (SELECT max(event_time) FROM {db}.text_analyses) AS latest FROM {db}.text_analyses FINAL)
            ARRAY JOIN phrases AS phrase
            GROUP BY country, region, phrase
        ) AS r
        ANY LEFT JOIN
        (
            SELECT phrase, countIf(event_time > (SELECT max(event_time) FROM {db}.text_analyses) - 14 * 86400) AS phrase_recent
            FROM {db}.text_analyses FINAL ARRAY JOIN phrases AS phrase
            GROUP BY phrase
        ) AS p USING phrase
    ) AS rp
    ANY LEFT JOIN
    (
        SELECT country, region, countIf(event_time > (SELECT max(event_time) FROM {db}.text_analyses) - 14 * 86400) AS region_recent
        FROM {db}.text_analyses FINAL ARRAY JOIN phrases AS phrase
        GROUP BY country, region
    ) AS g USING (country, region)
)
WHERE recent_people >= 3;

-- Channel and device mix by region: events, orders and revenue per channel (source) and device type, each row placed
-- in the region of its profile's latest located event (server-side orders carry no location of their own).
CREATE VIEW IF NOT EXISTS {db}.region_channel_device_mix AS
SELECT country, region, channel, device_type, events, orders, round(revenue, 2) AS revenue, profiles,
       round(100 * events / region_events, 1) AS events_share_pct
FROM
(
    SELECT country, region, channel, device_type, count() AS events, countIf(event = 'Order Completed') AS orders, sum(revenue) AS revenue,
           uniqExact(current_profile_id) AS profiles
    FROM
    (
        SELECT current_profile_id, source AS channel, device_type, event, revenue FROM {db}.events_current WHERE current_profile_id != ''
    ) AS e
    ANY LEFT JOIN
    (
        SELECT current_profile_id, tupleElement(loc, 1) AS country, tupleElement(loc, 2) AS region
        FROM (SELECT current_profile_id, argMax(tuple(country, region), event_ms) AS loc FROM {db}.events_current
              WHERE current_profile_id != '' AND country != '' AND region != '' GROUP BY current_profile_id)
    ) AS l USING current_profile_id
    WHERE country != ''
    GROUP BY country, region, channel, device_type
) AS m
ANY LEFT JOIN
(
    SELECT country, region, sum(events) AS region_events FROM
    (
        SELECT current_profile_id, count() AS events FROM {db}.events_current WHERE current_profile_id != '' GROUP BY current_profile_id
    ) AS e
    ANY LEFT JOIN
    (
        SELECT current_profile_id, tupleElement(loc, 1) AS country, tupleElement(loc, 2) AS region
        FROM (SELECT current_profile_id, argMax(tuple(country, region), event_ms) AS loc FROM {db}.events_current
              WHERE current_profile_id != '' AND country != '' AND region != '' GROUP BY current_profile_id)
    ) AS l USING current_profile_id
    WHERE country != ''
    GROUP BY country, region
) AS t USING (country, region);
