-- Analysts' names move onto the new layout; the old tables stay under a _v1 name, no longer fed (the next migration
-- copies what they hold; drop them once satisfied). Re-runnable: the migration runner skips a pair whose target
-- already exists (services/kit/migrate.ts).
RENAME TABLE {db}.events TO {db}.events_v1, {db}.events_v2 TO {db}.events, {db}.writer_watermarks TO {db}.writer_watermarks_v1, {db}.writer_watermarks_v2 TO {db}.writer_watermarks, {db}.profile_activity TO {db}.profile_activity_v1, {db}.profile_activity_v2 TO {db}.profile_activity, {db}.identifier_traits TO {db}.identifier_traits_v1;
