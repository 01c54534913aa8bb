-- The daily tables of the batch layer, one partition per day (dt = the events' UTC date), rebuilt whole by the
-- daily ETL (spark_jobs/daily_etl.py: INSERT OVERWRITE of the day's partition, so a rerun replaces it).
-- External Parquet tables under /data/warehouse: Spark writes them (Hive 4 makes managed tables transactional,
-- which Spark cannot write); `external.table.purge` lets DROP TABLE remove the files too.
-- Definitions: docs/metrics.md.

CREATE EXTERNAL TABLE IF NOT EXISTS page_stats_daily (
  app_id          STRING,
  page            STRING,
  views           BIGINT,
  unique_users    BIGINT,
  avg_latency_ms  DOUBLE,
  p95_latency_ms  DOUBLE,
  errors          BIGINT  COMMENT 'page views answered 5xx',
  entries         BIGINT  COMMENT 'sessions whose first page view this was',
  exits           BIGINT  COMMENT 'sessions whose last page view this was'
)
COMMENT 'Per page and day: views, users, latency, errors, entries and exits'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/warehouse/page_stats_daily'
TBLPROPERTIES ('external.table.purge' = 'true');

CREATE EXTERNAL TABLE IF NOT EXISTS section_engagement_daily (
  app_id              STRING,
  section             STRING,
  events              BIGINT,
  page_views          BIGINT,
  unique_users        BIGINT,
  avg_time_on_page_s  DOUBLE  COMMENT 'gap to the next page view of the session; none for the last one'
)
COMMENT 'Per site section and day'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/warehouse/section_engagement_daily'
TBLPROPERTIES ('external.table.purge' = 'true');

CREATE EXTERNAL TABLE IF NOT EXISTS navigation_paths_daily (
  app_id       STRING,
  from_page    STRING,
  to_page      STRING,
  transitions  BIGINT
)
COMMENT 'Consecutive page views within a session, per day'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/warehouse/navigation_paths_daily'
TBLPROPERTIES ('external.table.purge' = 'true');

CREATE EXTERNAL TABLE IF NOT EXISTS geo_traffic_daily (
  app_id        STRING,
  country       STRING,
  city          STRING,
  events        BIGINT,
  page_views    BIGINT,
  unique_users  BIGINT
)
COMMENT 'Per country and city, per day'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/warehouse/geo_traffic_daily'
TBLPROPERTIES ('external.table.purge' = 'true');

CREATE EXTERNAL TABLE IF NOT EXISTS sessions_daily (
  app_id             STRING,
  sessions           BIGINT,
  bounce_rate        DOUBLE  COMMENT 'share of sessions with exactly one page view',
  avg_duration_s     DOUBLE  COMMENT 'first to last event of the session',
  pages_per_session  DOUBLE,
  top_entry_page     STRING,
  top_exit_page      STRING
)
COMMENT 'Sessions per site and day (30 minutes idle or a logout ends one)'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/warehouse/sessions_daily'
TBLPROPERTIES ('external.table.purge' = 'true');

CREATE EXTERNAL TABLE IF NOT EXISTS shop_funnel_daily (
  step_order  INT,
  step        STRING  COMMENT 'product, add_to_cart, checkout, purchase',
  sessions    BIGINT  COMMENT 'sessions that reached this step after every earlier one',
  conversion  DOUBLE  COMMENT 'sessions / sessions of the first step'
)
COMMENT 'The shop funnel per day'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/warehouse/shop_funnel_daily'
TBLPROPERTIES ('external.table.purge' = 'true');
