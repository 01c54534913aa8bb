#!/usr/bin/env bash
# The daily batch's log step (DAG activity_daily_batch, task pig_access_logs): the day's access lines of every site
# in HDFS /logs normalized by Pig (access_logs.pig) into Hive `access_logs`, lines that do not parse into
# `rejected_access_lines` (hive/ddl/40-access-logs.sql); the day's partitions are replaced, then registered in Hive.
#   access_logs.sh YYYY-MM-DD
# A day without access lines gets empty partitions (its old rows, if any, removed).
set -euo pipefail
day=${1:?usage: access_logs.sh YYYY-MM-DD}
[[ $day =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "access_logs.sh: not a date: $day" >&2; exit 2; }
LOGS=/logs                                         # Flume's: /logs/{app}/access/dt=DAY/
TABLE=/data/warehouse/access_logs                  # app_id=APP/dt=DAY/
REJECTS=/data/warehouse/rejected_access_lines      # dt=DAY/
APPS=(shop news learn)                             # activity_contract/names.py APPS (a unit test keeps them equal)

if listing=$(hdfs dfs -ls -d "$LOGS/*/access/dt=$day" 2>&1); then
  echo "access_logs $day: normalizing the access lines of"; echo "$listing" | grep -o "$LOGS/.*"
  pig -stop_on_failure -param day="$day" -param logs="$LOGS" -param out="/tmp/access_logs/$day-$$" \
      -param table="$TABLE" -param rejects="$REJECTS" "$(dirname "$0")/access_logs.pig"
else
  case $listing in
    *'No such file or directory'*) echo "access_logs $day: no access lines in $LOGS for the day: empty partitions" ;;
    *) echo "$listing" >&2; exit 1 ;;
  esac
  hdfs dfs -rm -r -f -skipTrash "$TABLE/app_id=*/dt=$day" "$REJECTS/dt=$day"
  folders=("$REJECTS/dt=$day")
  for app in "${APPS[@]}"; do folders+=("$TABLE/app_id=$app/dt=$day"); done
  hdfs dfs -mkdir -p "${folders[@]}"
fi

partitions=$(printf " PARTITION (app_id='%s', dt='$day')" "${APPS[@]}")
beeline --silent=true -e "ALTER TABLE activity.access_logs ADD IF NOT EXISTS$partitions;
ALTER TABLE activity.rejected_access_lines ADD IF NOT EXISTS PARTITION (dt='$day');"
echo "access_logs $day: partitions registered in Hive"
