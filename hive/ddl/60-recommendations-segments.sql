-- The Mahout step of the daily batch (mahout/recommend.py, mahout/segment.py): per day, each active user's
-- recommendations and segment. Text, tab-separated, \N for NULL; each run replaces the day's partition whole.
-- Definitions: docs/metrics.md ("Recommendations", "User segments").

CREATE EXTERNAL TABLE IF NOT EXISTS recommendations (
  app_id   STRING,
  user_id  STRING,
  `rank`   INT     COMMENT '1 = the best',
  page     STRING  COMMENT 'a catalog item of the site (a product, an article, a course or lesson) the user had not seen that day',
  score    DOUBLE  COMMENT 'Mahout''s estimated preference (1 viewed .. 5 bought); NULL for a popular item',
  source   STRING  COMMENT 'mahout (item-based, log-likelihood similarity) or popular (the site''s items most users chose, topping up)'
)
COMMENT 'Up to 5 recommended items per user active that day'
PARTITIONED BY (dt STRING)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
STORED AS TEXTFILE
LOCATION '/data/warehouse/recommendations'
TBLPROPERTIES ('external.table.purge' = 'true');

CREATE EXTERNAL TABLE IF NOT EXISTS user_segments (
  app_id        STRING,
  user_id       STRING,
  segment       INT     COMMENT '0 = the lightest centre',
  segment_name  STRING  COMMENT 'light, regular, heavy',
  events        BIGINT,
  page_views    BIGINT,
  sessions      BIGINT,
  purchases     BIGINT,
  items         BIGINT  COMMENT 'distinct catalog items viewed'
)
COMMENT 'Each user active that day in one k-means segment of their behaviour (Mahout, k = 3)'
PARTITIONED BY (dt STRING)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
STORED AS TEXTFILE
LOCATION '/data/warehouse/user_segments'
TBLPROPERTIES ('external.table.purge' = 'true');

CREATE EXTERNAL TABLE IF NOT EXISTS recommendation_quality (
  users_evaluated         BIGINT  COMMENT 'users with held-out items (at least 5 items chosen that day)',
  held_out_items          BIGINT  COMMENT 'each such user''s latest 20 % of items (by the time first chosen)',
  precision_at_5          DOUBLE  COMMENT 'the recommendations (Mahout, topped up by popular items) made without the held-out items: share of the 5 that the user chose later, averaged over users',
  popular_precision_at_5  DOUBLE  COMMENT 'the same for the baseline: the site''s 5 most popular items the user had not chosen'
)
COMMENT 'How well the day''s recommendations predict what users chose next (mahout/evaluate.py)'
PARTITIONED BY (dt STRING)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
STORED AS TEXTFILE
LOCATION '/data/warehouse/recommendation_quality'
TBLPROPERTIES ('external.table.purge' = 'true');
