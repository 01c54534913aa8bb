-- The day's activity enriched with the operational user profiles (MariaDB, imported by Sqoop into
-- user_profiles): a view joining every event to its user's profile; a daily table Hive itself builds from it, the
-- DAG's hive_aggregates task (hive/aggregates/profile_activity.sql, INSERT OVERWRITE of the day); and the two views
-- users query, by plan and by country of signup. A user without a profile counts under plan and signup_country
-- 'unknown'. Profiles are as of the run: running a day again after a plan change moves that user's activity to
-- the new plan. Definitions: docs/metrics.md.

CREATE OR REPLACE VIEW events_enriched
COMMENT 'Every archived event with its user''s profile (NULLs when the user has none)'
AS SELECT e.*, p.plan, p.country AS signup_country, p.age_band, p.signup_date, p.marketing_opt_in
FROM events e LEFT OUTER JOIN user_profiles p ON e.user_id = p.user_id;

CREATE EXTERNAL TABLE IF NOT EXISTS profile_activity_daily (
  app_id          STRING,
  plan            STRING  COMMENT 'free, plus, pro; unknown: no profile',
  signup_country  STRING  COMMENT 'the country given at signup (ISO 3166-1 alpha-2); unknown: no profile',
  active_users    BIGINT  COMMENT 'distinct users with an event that day',
  events          BIGINT,
  page_views      BIGINT,
  purchases       BIGINT,
  buyers          BIGINT  COMMENT 'distinct users with a purchase',
  errors          BIGINT  COMMENT 'events answered 5xx',
  events_abroad   BIGINT  COMMENT 'events from a country (geo.country) other than the signup country'
)
COMMENT 'Per site, plan, country of signup and day (profiles as user_profiles holds them when the day runs)'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/warehouse/profile_activity_daily'
TBLPROPERTIES ('external.table.purge' = 'true');

-- A user has one plan and one signup country, so the per-user counts add up exactly across the other one.
CREATE OR REPLACE VIEW activity_by_plan_daily
COMMENT 'Per site, plan and day'
AS SELECT dt, app_id, plan, SUM(active_users) AS active_users, SUM(events) AS events,
          SUM(page_views) AS page_views, SUM(purchases) AS purchases, SUM(buyers) AS buyers, SUM(errors) AS errors
FROM profile_activity_daily
GROUP BY dt, app_id, plan;

CREATE OR REPLACE VIEW activity_by_signup_country_daily
COMMENT 'Per site, country of signup and day'
AS SELECT dt, app_id, signup_country, SUM(active_users) AS active_users, SUM(events) AS events,
          SUM(page_views) AS page_views, SUM(purchases) AS purchases, SUM(events_abroad) AS events_abroad
FROM profile_activity_daily
GROUP BY dt, app_id, signup_country;
