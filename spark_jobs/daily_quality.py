"""The daily batch's data-quality task: the day's counts reconciled across layers; any mismatch fails the run.

    spark-submit spark_jobs/daily_quality.py --date 2026-12-01

Checks (each prints expected, actual and, on a mismatch, what differs):
- `archive_once`: the archive's distinct event_ids for the day (its Parquet files under /data/raw/events/dt=D,
  read straight from HDFS) = the rows of Hive `events` for dt=D. A file copied twice, or a partition Hive does
  not know, breaks it; the mismatch names the files holding the repeated ids.
- `page_views`: the sum of `views` in `page_stats_daily` for dt=D = the day's distinct `page_view` events.
- `access_logs`: the day's access lines in HDFS /logs (every site's closed files, what Pig read) = the rows of
  `access_logs` for dt=D + the lines Pig rejected (`rejected_access_lines`, reported when there are any).

Before the checks, the speed layer's drift for the day (speed_drift.py) into Hive `speed_batch_drift`: a report,
not a check (the two layers may differ for good reasons, each row says which); HBase unreachable leaves the day
without drift rows and says so, and the checks still run.
"""

from __future__ import annotations

import sys
from datetime import date

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from activity_contract import names
from activity_contract.days import day_argument
from daily_etl import overwrite_day
from speed_drift import batch_numbers, drift_rows, hbase_address, speed_numbers, summary

DATABASE = names.HIVE_DATABASE


def hdfs_paths(spark, pattern: str) -> list[str]:
    """The HDFS paths a path or glob names that exist ([] for none: Spark's readers fail on a missing path)."""
    hadoop = spark._jvm.org.apache.hadoop.fs
    fs = hadoop.FileSystem.get(spark._jsc.hadoopConfiguration())
    return [str(s.getPath()) for s in fs.globStatus(hadoop.Path(pattern)) or []]


def archive_once(spark, day: str) -> tuple[int, int, str]:
    folder = f"{names.HDFS_RAW_EVENTS}/dt={day}"
    files = spark.read.parquet(folder).withColumn("file", F.input_file_name()) if hdfs_paths(spark, folder) else None
    ids = files.select("event_id").distinct().count() if files is not None else 0
    rows = spark.table(f"{DATABASE}.events").where(F.col("dt") == day).count()
    detail = ""
    if rows != ids and files is not None:
        repeated = files.groupBy("event_id").agg(F.count(F.lit(1)).alias("n")).where("n > 1")
        where = files.join(repeated, "event_id").groupBy("file").count().orderBy(F.desc("count")).limit(5).collect()
        detail = (
            (
                f"{repeated.count()} event_ids in more than one row; files holding them: "
                + ", ".join(f"{r['file']} ({r['count']})" for r in where)
            )
            if where
            else "Hive `events` does not read what the folder holds (partition not registered? run MSCK REPAIR TABLE events)"
        )
    return ids, rows, detail


def page_views(spark, day: str) -> tuple[int, int, str]:
    expected = (
        spark.table(f"{DATABASE}.events")
        .where((F.col("dt") == day) & (F.col("event_type") == "page_view"))
        .select("event_id")
        .distinct()
        .count()
    )
    actual = (
        spark.table(f"{DATABASE}.page_stats_daily")
        .where(F.col("dt") == day)
        .agg(F.coalesce(F.sum("views"), F.lit(0)))
        .first()[0]
    )
    return expected, int(actual), "" if expected == actual else "page_stats_daily is stale or wrong: rerun spark_etl"


def access_logs(spark, day: str) -> tuple[int, int, str]:
    folders = hdfs_paths(spark, f"{names.HDFS_LOGS}/*/access/dt={day}")
    lines = spark.read.text(folders).count() if folders else 0  # skips open files (_access.N.log.tmp), as Pig does
    rows = spark.table(f"{DATABASE}.access_logs").where(F.col("dt") == day).count()
    rejected = spark.table(f"{DATABASE}.rejected_access_lines").where(F.col("dt") == day).count()
    detail = (
        (f"{rejected} line(s) rejected: SELECT reason, line FROM {DATABASE}.rejected_access_lines WHERE dt = '{day}'")
        if rejected
        else ""
    )
    if lines != rows + rejected:
        detail = (
            f"{rows} rows + {rejected} rejected for {lines} lines: access_logs is stale (lines arrived "
            f"after pig_access_logs ran?): rerun the day. {detail}"
        ).strip()
    return lines, rows + rejected, detail


DRIFT_SCHEMA = "app_id string, kpi string, item string, batch bigint, speed bigint, drift bigint, reason string"


def store_drift(spark, day: str) -> None:
    # cached: batch_numbers groups the day three ways (pages, minutes, users); one read of the archive, not three
    events = spark.table(f"{DATABASE}.events").where(F.col("dt") == day).dropDuplicates(["event_id"]).cache()
    batch = batch_numbers(events)
    events.unpersist()
    from thriftpy2.thrift import TException

    from activity_clients import hbase

    host, port = hbase_address()
    try:
        conn = hbase.connect(host, port, timeout_ms=60000)
        try:
            speed = speed_numbers(conn, date.fromisoformat(day), set(names.APPS) | {app for app, _, _ in batch})
        finally:
            conn.close()
    except (OSError, TException) as e:
        print(f"speed vs batch {day}: not compared, the speed layer's HBase ({host}:{port}) failed: {e!r}", flush=True)
        spark.sql(f"ALTER TABLE {DATABASE}.speed_batch_drift DROP IF EXISTS PARTITION (dt = '{day}')")
        return
    rows = drift_rows(batch, speed)
    overwrite_day(spark.createDataFrame(rows, DRIFT_SCHEMA), "speed_batch_drift", day)
    for line in summary(rows):
        print(f"speed vs batch {day}: {line}", flush=True)
    for r in [r for r in rows if r[5]][:10]:
        print(f"speed vs batch {day}: {r[0]} {r[1]} {r[2]!r}: batch {r[3]} speed {r[4]}: {r[6]}", flush=True)


CHECKS = {"archive_once": archive_once, "page_views": page_views, "access_logs": access_logs}


def main(argv: list[str]) -> int:
    day = day_argument(argv, __doc__.splitlines()[0])
    spark = (
        SparkSession.builder.appName(f"activity data quality {day}")
        .enableHiveSupport()
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("hive.exec.dynamic.partition.mode", "nonstrict")
        .getOrCreate()
    )
    store_drift(spark, day)
    failed = []
    for name, check in CHECKS.items():
        expected, actual, detail = check(spark, day)
        ok = expected == actual
        print(
            f"data quality {day}: {name:<14} expected {expected:>9} actual {actual:>9}  {'ok' if ok else 'MISMATCH'}"
            + (f"  {detail}" if detail else ""),
            flush=True,
        )
        if not ok:
            failed.append(f"{name} (expected {expected}, actual {actual})")
    spark.stop()
    if failed:
        print(f"data quality {day}: FAILED: mismatch in " + "; ".join(failed), file=sys.stderr)
        return 1
    print(f"data quality {day}: all {len(CHECKS)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
