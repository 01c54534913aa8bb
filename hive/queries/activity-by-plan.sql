-- Activity per plan for one day, all sites together: active users, page views, buyers and the share of active
-- users who bought. From profile_activity_daily (DAG task hive_aggregates; per site: the view
-- activity_by_plan_daily); plan 'unknown': users without a profile.
--   lab hive run activity-by-plan --hivevar day=2026-12-01
SELECT plan, SUM(active_users) AS active_users, SUM(page_views) AS page_views, SUM(purchases) AS purchases,
       SUM(buyers) AS buyers, ROUND(SUM(buyers) / SUM(active_users), 3) AS buyer_share
FROM activity.profile_activity_daily
WHERE dt = '${hivevar:day}'
GROUP BY plan
ORDER BY active_users DESC, plan;
