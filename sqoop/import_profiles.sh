#!/usr/bin/env bash
# The daily batch's first task: MariaDB activity.user_profiles into HDFS /data/warehouse/user_profiles (Hive
# `user_profiles`, hive/ddl/30-user-profiles.sql), incrementally on updated_at.
#
# Sqoop's lastmodified mode imports the rows with  last_value <= updated_at < MariaDB's time at this import's start,
# merges them into the table's files by user_id (a changed profile replaces its old row), and prints that start time
# as the next --last-value, which is kept on HDFS next to the table. Windows are adjacent, so every change is imported
# exactly once. The first import (or one after the state file is removed) takes every row.
set -euo pipefail
TARGET=/data/warehouse/user_profiles
STATE=/data/state/sqoop/user_profiles.last_value
log=$(mktemp)
trap 'rm -f "$log"' EXIT

last=$(hdfs dfs -cat "$STATE" 2>/dev/null || true)
window=()
if [ -n "$last" ]; then
  window=(--last-value "$last")
  echo "user_profiles: importing the profiles changed since $last"
else
  echo "user_profiles: no import on record ($STATE): importing every profile"
fi

# \001 and \N: Hive's text defaults (field separator, NULL). -m 1: a few thousand rows, one map, run in Sqoop's own
# JVM on MapReduce's local runner (as the merge job that follows): on YARN, container starts took most of the task.
sqoop import -D mapreduce.framework.name=local --connect jdbc:mariadb://mariadb:3306/activity --driver org.mariadb.jdbc.Driver \
  --username lab --password-file file:///etc/lab/sqoop/mariadb.password \
  --table user_profiles -m 1 --target-dir "$TARGET" \
  --incremental lastmodified --check-column updated_at --merge-key user_id "${window[@]}" \
  --fields-terminated-by '\001' --null-string '\\N' --null-non-string '\\N' 2>&1 | tee "$log"

next=$(sed -n 's/.*--last-value \(.*\)$/\1/p' "$log" | tail -1)
imported=$(sed -n 's/.*Retrieved \([0-9]*\) records.*/\1/p' "$log" | tail -1)
if [ -z "$next" ] || [ -z "$imported" ]; then
  echo "user_profiles: Sqoop ended without its record count or next --last-value; the state stays ${last:-empty}" >&2
  exit 1
fi
hdfs dfs -mkdir -p "$(dirname "$STATE")"
printf '%s' "$next" | hdfs dfs -put -f - "$STATE"
echo "user_profiles: imported $imported changed profile(s); next import from $next"
