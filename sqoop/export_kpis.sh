#!/usr/bin/env bash
# The daily batch's export: the day's KPIs into MariaDB (sqoop/kpi_export.sql), replacing that day's
# rows, so running a day again leaves the same rows.
#   export_kpis.sh YYYY-MM-DD
# The daily ETL leaves each exported table's day as text in /data/export/<table>/dt=<day>/ (Sqoop cannot read the
# Parquet files; spark_jobs/daily_etl.py EXPORTED). Per table, the day's old rows are deleted first, then the new
# ones inserted (Sqoop's generic JDBC manager has neither upsert nor staging tables). The tables go side by side
# (one small MapReduce job each, in Sqoop's own JVM on MapReduce's local runner: a day's few hundred rows, where a
# YARN job spends ~30 s starting containers); any failure fails the task, and running the day again repairs it.
set -euo pipefail
day=${1:?usage: export_kpis.sh YYYY-MM-DD}
[[ $day =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "export_kpis.sh: not a date: $day" >&2; exit 2; }
CONNECT=(--connect jdbc:mariadb://mariadb:3306/activity --driver org.mariadb.jdbc.Driver
         --username lab --password-file file:///etc/lab/sqoop/mariadb.password)
# table -> its columns, in the order the ETL writes them (dt, then the Hive table's columns)
declare -A COLUMNS=(
  [page_stats_daily]=dt,app_id,page,views,unique_users,avg_latency_ms,p95_latency_ms,errors,entries,exits
  [sessions_daily]=dt,app_id,sessions,bounce_rate,avg_duration_s,pages_per_session,top_entry_page,top_exit_page
  [shop_funnel_daily]=dt,step_order,step,sessions,conversion
)

export_table() {   # its log ends with "Exported N records"
  local table=$1
  sqoop eval "${CONNECT[@]}" --query "DELETE FROM $table WHERE dt = '$day'"
  sqoop export -D mapreduce.framework.name=local "${CONNECT[@]}" --table "$table" --columns "${COLUMNS[$table]}" -m 1 \
    --export-dir "/data/export/$table/dt=$day" --input-fields-terminated-by '\t' \
    --input-null-string '\\N' --input-null-non-string '\\N'
}

pids=()
for table in "${!COLUMNS[@]}"; do
  export_table "$table" > >(sed -u "s/^/[$table] /") 2>&1 &
  pids+=("$!:$table")
done
failed=()
for entry in "${pids[@]}"; do
  wait "${entry%%:*}" || failed+=("${entry#*:}")
done
if ((${#failed[@]})); then
  echo "export_kpis.sh $day: the export of ${failed[*]} failed (its lines above, prefixed [table]); run the day again" >&2
  exit 1
fi
echo "export_kpis.sh $day: exported ${!COLUMNS[*]}"
