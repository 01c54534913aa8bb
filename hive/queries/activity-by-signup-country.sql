-- Activity per country of signup for one day, all sites together, with the share of events sent from another
-- country. From profile_activity_daily (DAG task hive_aggregates; per site: the view
-- activity_by_signup_country_daily); 'unknown': users without a profile.
--   lab hive run activity-by-signup-country --hivevar day=2026-12-01
SELECT signup_country, SUM(active_users) AS active_users, SUM(events) AS events, SUM(page_views) AS page_views,
       ROUND(SUM(events_abroad) / SUM(events), 3) AS abroad_share
FROM activity.profile_activity_daily
WHERE dt = '${hivevar:day}'
GROUP BY signup_country
ORDER BY events DESC, signup_country;
