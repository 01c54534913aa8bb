-- What the streaming archive put aside (spark_jobs/stream_archive.py): each message of `user-activity` that is not
-- a valid v1 event, with the contract's reason (the same words the speed layer's DLQ records carry), by the UTC
-- date Kafka received it, under /data/raw/rejected/dt=YYYY-MM-DD. Nothing is dropped silently.
CREATE EXTERNAL TABLE IF NOT EXISTS rejected_events (
  raw             STRING,
  error           STRING,
  kafka_partition INT,
  kafka_offset    BIGINT,
  kafka_ts        TIMESTAMP
)
COMMENT 'Invalid messages of user-activity and why (the streaming archive)'
PARTITIONED BY (dt STRING)
STORED AS PARQUET
LOCATION '/data/raw/rejected';

MSCK REPAIR TABLE rejected_events SYNC PARTITIONS;
