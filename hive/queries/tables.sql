-- The tables of database `activity`, with their row format and location.
SHOW TABLES IN activity;
