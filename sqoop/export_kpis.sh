#!/usr/bin/env bash
# The daily batch's export: the day's KPIs into MariaDB (compose/conf/mariadb/kpi_export.sql), replacing that day's
# rows, so running a day again leaves the same rows.
#   export_kpis.sh YYYY-MM-DD
# The daily ETL leaves each exported table's day as text in /data/export/<table>/dt=<day>/ (Sqoop cannot read the
# Parquet files). The day's old rows are deleted first, then the new ones inserted (Sqoop's generic JDBC manager has
# neither upsert nor staging tables): a failed export fails the task, and running the day again repairs it.
set -euo pipefail
day=${1:?usage: export_kpis.sh YYYY-MM-DD}
[[ $day =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "export_kpis.sh: not a date: $day" >&2; exit 2; }
CONNECT=(--connect jdbc:mariadb://mariadb:3306/activity --driver org.mariadb.jdbc.Driver
         --username lab --password-file file:///etc/lab/sqoop/mariadb.password)
table=page_stats_daily
columns=dt,app_id,page,views,unique_users,avg_latency_ms,p95_latency_ms,errors,entries,exits

sqoop eval "${CONNECT[@]}" --query "DELETE FROM $table WHERE dt = '$day'"
sqoop export "${CONNECT[@]}" --table "$table" --columns "$columns" -m 1 \
  --export-dir "/data/export/$table/dt=$day" --input-fields-terminated-by '\t' \
  --input-null-string '\\N' --input-null-non-string '\\N'   # its log ends with "Exported N records"
