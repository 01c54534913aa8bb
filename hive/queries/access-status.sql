-- Requests per site, path and status class for one day, from the web servers' access lines (access_logs, the
-- daily batch's Pig step), with the bytes served: where 4xx and 5xx answers come from.
--   lab hive run access-status --hivevar day=2026-12-01
SELECT app_id, path, CONCAT(SUBSTR(CAST(status AS STRING), 1, 1), 'xx') AS status_class,
       COUNT(*) AS requests, SUM(bytes) AS bytes
FROM activity.access_logs
WHERE dt = '${hivevar:day}'
GROUP BY app_id, path, SUBSTR(CAST(status AS STRING), 1, 1)
ORDER BY requests DESC, app_id, path, status_class
LIMIT 25;
