-- The operational user profiles (MariaDB activity.user_profiles), as the daily batch's Sqoop import leaves them
-- (sqoop/import_profiles.sh: incremental on updated_at, merged by user_id, so one row per user, the latest).
-- Sqoop writes the files; Hive reads them in its text defaults (\001 between fields, \N for NULL).

CREATE EXTERNAL TABLE IF NOT EXISTS user_profiles (
  user_id           STRING,
  full_name         STRING,
  email             STRING,
  signup_date       DATE,
  plan              STRING     COMMENT 'free, plus or pro',
  country           STRING     COMMENT 'ISO 3166-1 alpha-2, the country given at signup',
  age_band          STRING,
  marketing_opt_in  BOOLEAN,
  updated_at        TIMESTAMP  COMMENT 'MariaDB time of the last change (UTC)'
)
COMMENT 'User profiles imported from MariaDB by Sqoop, one row per user'
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001'
STORED AS TEXTFILE
LOCATION '/data/warehouse/user_profiles';
