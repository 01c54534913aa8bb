-- Per minute of event time and per site, from the streaming job (spark_jobs/stream_archive.py): written once a
-- minute is final (STREAM_LATENESS_S after it ends), under /data/metrics/minute/dt=YYYY-MM-DD.
-- Definitions as the speed layer's minute_stats: every event, its page views, its 5xx; latency of page views.
-- distinct_users is HyperLogLog++ (approx_count_distinct, 1 % relative error; exact at the lab's sizes).
CREATE EXTERNAL TABLE IF NOT EXISTS stream_metrics_minute (
  window_start    TIMESTAMP,
  window_end      TIMESTAMP,
  app_id          STRING,
  events          BIGINT,
  page_views      BIGINT,
  distinct_users  BIGINT,
  errors          BIGINT,
  p50_latency_ms  DOUBLE,
  p95_latency_ms  DOUBLE
)
COMMENT 'Per-minute, per-site metrics of the streaming job'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/metrics/minute';

MSCK REPAIR TABLE stream_metrics_minute SYNC PARTITIONS;
