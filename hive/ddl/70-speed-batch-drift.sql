-- Speed vs batch (spark_jobs/speed_drift.py, run by the DAG's data_quality task): for each KPI both layers
-- compute, the day's value in each and the drift (batch minus speed), with the reason for a gap. Each run
-- replaces the day's partition whole. Definitions: docs/metrics.md ("Speed vs batch").

CREATE EXTERNAL TABLE IF NOT EXISTS speed_batch_drift (
  app_id  STRING,
  kpi     STRING  COMMENT 'page_views (per page), events (per UTC minute), active_users (the day)',
  item    STRING  COMMENT 'the page, the minute HH:MM, or empty for active_users',
  batch   BIGINT  COMMENT 'the batch layer: the day''s distinct events in Hive events',
  speed   BIGINT  COMMENT 'the speed layer: what the Storm topology counted in HBase',
  drift   BIGINT  COMMENT 'batch minus speed',
  reason  STRING  COMMENT 'why the layers differ; empty when they agree'
)
COMMENT 'Per day: the speed layer''s numbers against the batch layer''s, and why they differ'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/warehouse/speed_batch_drift'
TBLPROPERTIES ('external.table.purge' = 'true');
