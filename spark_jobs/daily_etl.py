"""The daily ETL: one day of the archive (Hive `events`, dt = D) into the daily tables, on YARN.

    spark-submit spark_jobs/daily_etl.py --date 2026-12-01

Each table's partition dt=D is overwritten whole, so running a day again leaves the same rows; the day's input to
the Mahout step (users, items, ratings: spark_jobs/mahout_inputs.py) too. Definitions:
docs/metrics.md; tests/batch_oracle.py computes the same in plain Python for the end-to-end tests.
"""

from __future__ import annotations

import sys

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from activity_contract import names
from activity_contract.days import day_argument
from mahout_inputs import write_mahout_inputs

DATABASE = names.HIVE_DATABASE
SESSION_GAP_S = 30 * 60
FUNNEL_STEPS = ("product", "add_to_cart", "checkout", "purchase")


def sessionized(events: DataFrame) -> DataFrame:
    """Each event with its session: per (app_id, user_id) in (event_ts, event_id) order, a new session at the first
    event, after more than 30 minutes without one, and after a logout."""
    by_user = Window.partitionBy("app_id", "user_id").orderBy("event_ts", "event_id")
    gap = F.col("event_ts").cast("double") - F.lag("event_ts").over(by_user).cast("double")
    starts = (
        F.lag("event_ts").over(by_user).isNull()
        | (gap > SESSION_GAP_S)
        | (F.lag("event_type").over(by_user) == "logout")
    )
    seq = F.sum(starts.cast("int")).over(by_user.rowsBetween(Window.unboundedPreceding, Window.currentRow))
    return events.withColumn("session_seq", seq).withColumn(
        "session_key", F.concat_ws("#", "app_id", "user_id", F.col("session_seq").cast("string"))
    )


def page_views(sessions: DataFrame) -> DataFrame:
    """The page views with their place in the session: next page and time, first and last."""
    views = sessions.where(F.col("event_type") == "page_view")
    in_session = Window.partitionBy("session_key").orderBy("event_ts", "event_id")
    backwards = Window.partitionBy("session_key").orderBy(F.desc("event_ts"), F.desc("event_id"))
    return (
        views.withColumn("next_page", F.lead("page").over(in_session))
        .withColumn("next_ts", F.lead("event_ts").over(in_session))
        .withColumn("is_entry", F.row_number().over(in_session) == 1)
        .withColumn("is_exit", F.row_number().over(backwards) == 1)
    )


def page_stats(views: DataFrame) -> DataFrame:
    return views.groupBy("app_id", "page").agg(
        F.count(F.lit(1)).alias("views"),
        F.countDistinct("user_id").alias("unique_users"),
        F.avg("latency_ms").alias("avg_latency_ms"),
        F.percentile("latency_ms", F.lit(0.95)).alias("p95_latency_ms"),
        F.sum((F.col("http_status") >= 500).cast("long")).alias("errors"),
        F.sum(F.col("is_entry").cast("long")).alias("entries"),
        F.sum(F.col("is_exit").cast("long")).alias("exits"),
    )


def section_engagement(sessions: DataFrame, views: DataFrame) -> DataFrame:
    counts = sessions.groupBy("app_id", "section").agg(
        F.count(F.lit(1)).alias("events"),
        F.sum((F.col("event_type") == "page_view").cast("long")).alias("page_views"),
        F.countDistinct("user_id").alias("unique_users"),
    )
    time_on_page = (
        views.where(F.col("next_ts").isNotNull())
        .groupBy("app_id", "section")
        .agg(F.avg(F.col("next_ts").cast("double") - F.col("event_ts").cast("double")).alias("avg_time_on_page_s"))
    )
    return counts.join(time_on_page, ["app_id", "section"], "left").select(
        "app_id", "section", "events", "page_views", "unique_users", "avg_time_on_page_s"
    )


def navigation_paths(views: DataFrame) -> DataFrame:
    return (
        views.where(F.col("next_page").isNotNull())
        .groupBy("app_id", F.col("page").alias("from_page"), F.col("next_page").alias("to_page"))
        .agg(F.count(F.lit(1)).alias("transitions"))
    )


def geo_traffic(events: DataFrame) -> DataFrame:
    return events.groupBy("app_id", F.col("geo.country").alias("country"), F.col("geo.city").alias("city")).agg(
        F.count(F.lit(1)).alias("events"),
        F.sum((F.col("event_type") == "page_view").cast("long")).alias("page_views"),
        F.countDistinct("user_id").alias("unique_users"),
    )


def top_page(views: DataFrame, flag: str, name: str) -> DataFrame:
    """Per site the page with the most sessions entering (or leaving) there; ties: the smallest path."""
    counts = views.where(F.col(flag)).groupBy("app_id", "page").count()
    best = Window.partitionBy("app_id").orderBy(F.desc("count"), "page")
    return (
        counts.withColumn("rank", F.row_number().over(best))
        .where("rank = 1")
        .select("app_id", F.col("page").alias(name))
    )


def session_summary(sessions: DataFrame, views: DataFrame) -> DataFrame:
    per_session = sessions.groupBy("app_id", "session_key").agg(
        (F.max("event_ts").cast("double") - F.min("event_ts").cast("double")).alias("duration_s"),
        F.sum((F.col("event_type") == "page_view").cast("long")).alias("page_views"),
    )
    summary = per_session.groupBy("app_id").agg(
        F.count(F.lit(1)).alias("sessions"),
        F.avg((F.col("page_views") == 1).cast("double")).alias("bounce_rate"),
        F.avg("duration_s").alias("avg_duration_s"),
        (F.sum("page_views") / F.count(F.lit(1))).alias("pages_per_session"),
    )
    return (
        summary.join(top_page(views, "is_entry", "top_entry_page"), "app_id", "left")
        .join(top_page(views, "is_exit", "top_exit_page"), "app_id", "left")
        .select(*names.DAILY_TABLES["sessions_daily"])
    )


def shop_funnel(sessions: DataFrame) -> DataFrame:
    """Sessions reaching each step after every earlier one, in event order: each event matches at most one step;
    folding a session's events in order counts how many steps it reached."""
    step = (
        F.when((F.col("event_type") == "page_view") & F.col("page").startswith("/product/"), 0)
        .when(F.col("event_type") == "add_to_cart", 1)
        .when((F.col("event_type") == "page_view") & (F.col("page") == "/checkout"), 2)
        .when(F.col("event_type") == "purchase", 3)
    )
    steps = (
        sessions.where(F.col("app_id") == names.SHOP)
        .withColumn("step", step)
        .where(F.col("step").isNotNull())
        .groupBy("session_key")
        .agg(F.array_sort(F.collect_list(F.struct("event_ts", "event_id", "step"))).alias("seq"))
    )
    reached = steps.select(
        F.aggregate("seq", F.lit(0), lambda acc, x: F.when(x["step"] == acc, acc + 1).otherwise(acc)).alias("reached")
    )
    spark = sessions.sparkSession
    labels = spark.createDataFrame([(i + 1, s) for i, s in enumerate(FUNNEL_STEPS)], "step_order INT, step STRING")
    counted = (
        labels.join(reached, F.col("reached") >= F.col("step_order"), "left")
        .groupBy("step_order", "step")
        .agg(F.count("reached").alias("sessions"))
    )
    first = Window.orderBy("step_order").rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    # No product views that day: conversion is NULL (unknown), not a division error.
    return (
        counted.withColumn("conversion", F.try_divide(F.col("sessions"), F.first("sessions").over(first)))
        .select("step_order", "step", "sessions", "conversion")
        .orderBy("step_order")
    )


def overwrite_day(table: DataFrame, name: str, day: str) -> int:
    """Replaces partition dt=day of the table with these rows (columns in the table's order, dt last). Dynamic
    partition overwrite replaces only partitions it writes: a day left with no rows drops its partition instead."""
    rows = table.withColumn("dt", F.lit(day)).cache()
    count = rows.count()
    if count:
        rows.write.insertInto(f"{DATABASE}.{name}", overwrite=True)
    else:
        table.sparkSession.sql(f"ALTER TABLE {DATABASE}.{name} DROP IF EXISTS PARTITION (dt = '{day}')")
    rows.unpersist()
    return count


def write_export(table: DataFrame, name: str, day: str) -> None:
    """The day's rows as one tab-separated text file for Sqoop's export (it cannot read Parquet without Kite's
    metadata): HDFS_EXPORT/<table>/dt=<day>/, replaced whole; NULL written as \\N, as Sqoop reads it."""
    (
        table.withColumn("dt", F.lit(day))
        .select("dt", *table.columns)
        .coalesce(1)
        .write.mode("overwrite")
        .option("sep", "\t")
        .option("nullValue", "\\N")
        .option("emptyValue", "")
        .csv(f"{names.HDFS_EXPORT}/{name}/dt={day}")
    )


def main(argv: list[str]) -> int:
    day = day_argument(argv, __doc__.splitlines()[0])
    spark = (
        SparkSession.builder.appName(f"activity daily ETL {day}")
        .enableHiveSupport()
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("hive.exec.dynamic.partition.mode", "nonstrict")
        .getOrCreate()
    )
    events = spark.table(f"{DATABASE}.events").where(F.col("dt") == day).dropDuplicates(["event_id"]).cache()
    total = events.count()
    print(f"daily ETL {day}: {total} events in the archive")
    sessions = sessionized(events).cache()
    views = page_views(sessions).cache()
    tables = {
        "page_stats_daily": page_stats(views),
        "section_engagement_daily": section_engagement(sessions, views),
        "navigation_paths_daily": navigation_paths(views),
        "geo_traffic_daily": geo_traffic(events),
        "sessions_daily": session_summary(sessions, views),
        "shop_funnel_daily": shop_funnel(sessions),
    }
    for name, table in tables.items():
        print(f"daily ETL {day}: {name} <- {overwrite_day(table, name, day)} rows")
        if name in names.EXPORTED_KPI_TABLES:
            write_export(spark.table(f"{DATABASE}.{name}").where(F.col("dt") == day).drop("dt"), name, day)
    print(f"daily ETL {day}: Mahout's input {write_mahout_inputs(sessions, day)}")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
