-- The DAG's hive_aggregates task: one day of events_enriched (hive/ddl/50-profile-activity.sql) into
-- profile_activity_daily, the day's partition replaced whole (a rerun leaves the same rows; a day without events
-- leaves it empty). One MapReduce job: the profiles are joined in its maps (a map join, the table is small).
-- Every measure counts distinct event_ids or user_ids, so an event the archive holds twice counts once.
--   beeline --hivevar day=2026-12-01 -f hive/aggregates/profile_activity.sql
-- Hive 4 would follow the insert with a second job computing column statistics (about 40 s here); no query of
-- the lab needs them.
SET hive.stats.column.autogather=false;
INSERT OVERWRITE TABLE activity.profile_activity_daily PARTITION (dt = '${hivevar:day}')
SELECT app_id, COALESCE(plan, 'unknown'), COALESCE(signup_country, 'unknown'),
       COUNT(DISTINCT user_id),
       COUNT(DISTINCT event_id),
       COUNT(DISTINCT IF(event_type = 'page_view', event_id, NULL)),
       COUNT(DISTINCT IF(event_type = 'purchase', event_id, NULL)),
       COUNT(DISTINCT IF(event_type = 'purchase', user_id, NULL)),
       COUNT(DISTINCT IF(http_status >= 500, event_id, NULL)),
       COUNT(DISTINCT IF(signup_country IS NOT NULL AND geo.country <> signup_country, event_id, NULL))
FROM activity.events_enriched
WHERE dt = '${hivevar:day}'
GROUP BY app_id, COALESCE(plan, 'unknown'), COALESCE(signup_country, 'unknown');
