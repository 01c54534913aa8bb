-- Hits and average latency per page for one day, busiest first: the table simple traffic monitors show.
-- From the daily batch's page_stats_daily (page views of the events, latency as the sites measured it).
--   lab hive run page-hits --hivevar day=2026-12-01
SELECT app_id, page, views AS hits, unique_users, ROUND(avg_latency_ms, 1) AS avg_latency_ms,
       ROUND(p95_latency_ms, 1) AS p95_latency_ms, errors
FROM activity.page_stats_daily
WHERE dt = '${hivevar:day}'
ORDER BY hits DESC, app_id, page
LIMIT 25;
