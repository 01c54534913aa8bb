-- The cold archive (spark_jobs/stream_archive.py): every valid event of Kafka `user-activity` once, in Parquet,
-- under /data/raw/events/dt=YYYY-MM-DD (the event's UTC date). The contract's fields (CONTRACT.md section 4),
-- then event_ts (event_time as a timestamp, UTC) and where Kafka held the event.
-- The streaming job adds each new day's partition; MSCK below finds any it could not (metastore down).
CREATE EXTERNAL TABLE IF NOT EXISTS events (
  schema_version  INT,
  event_id        STRING,
  event_type      STRING,
  event_time      STRING,
  app_id          STRING,
  user_id         STRING,
  session_id      STRING,
  page            STRING,
  section         STRING,
  referrer        STRING,
  target          STRING,
  http_status     INT,
  latency_ms      DOUBLE,
  geo             STRUCT<country: STRING, city: STRING>,
  device          STRUCT<type: STRING, os: STRING, browser: STRING>,
  user_agent      STRING,
  event_ts        TIMESTAMP,
  kafka_partition INT,
  kafka_offset    BIGINT,
  kafka_ts        TIMESTAMP
)
COMMENT 'Every valid event once (Spark Structured Streaming archive of user-activity)'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/raw/events';

MSCK REPAIR TABLE events SYNC PARTITIONS;
