-- The sites' access lines (Flume's /logs/{app}/access/dt=DAY/) as the daily batch's Pig step normalizes them
-- (pig/access_logs.pig, run by pig/access_logs.sh): one row per line, one partition per site and UTC day, the day's
-- partitions replaced by each run. Text in Hive's defaults (\001 between fields, \N for NULL).
-- Formats and parsing rules: docs/access-log-formats.md.

CREATE EXTERNAL TABLE IF NOT EXISTS access_logs (
  vhost         STRING     COMMENT 'virtual host (vcommon, vcombined lines); NULL in the other formats',
  host          STRING     COMMENT 'client address or name',
  ident         STRING,
  authuser      STRING,
  request_time  TIMESTAMP  COMMENT 'the time of the line, in UTC',
  method        STRING     COMMENT 'NULL when the request is not METHOD PATH [PROTOCOL]',
  path          STRING,
  protocol      STRING     COMMENT 'NULL for a request without one (GET /path)',
  request       STRING     COMMENT 'the request line as written, escaped quotes and backslashes undone',
  status        INT,
  bytes         BIGINT     COMMENT 'NULL for -',
  referrer      STRING     COMMENT 'combined formats; NULL in the common ones',
  agent         STRING     COMMENT 'combined formats; NULL in the common ones',
  extras        STRING     COMMENT 'the fields after the user agent, as written (X-Forwarded-For, request time)'
)
COMMENT 'Access lines of the sites, normalized by Pig'
PARTITIONED BY (app_id STRING, dt STRING)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
STORED AS TEXTFILE
LOCATION '/data/warehouse/access_logs'
TBLPROPERTIES ('external.table.purge' = 'true');

-- What the Pig step could not parse, with the file it came from and why: lines in = access_logs rows + these.
CREATE EXTERNAL TABLE IF NOT EXISTS rejected_access_lines (
  source_file  STRING,
  line         STRING,
  reason       STRING
)
COMMENT 'Access lines the Pig step could not parse, and why'
PARTITIONED BY (dt STRING)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
STORED AS TEXTFILE
LOCATION '/data/warehouse/rejected_access_lines'
TBLPROPERTIES ('external.table.purge' = 'true');
