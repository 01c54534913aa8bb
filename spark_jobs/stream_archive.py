"""The cold archive: Spark Structured Streaming from Kafka `user-activity` into HDFS, exactly once.

Two queries in one long-running driver (service `spark-streaming`, spark_jobs/README.md):
- `archive`: every valid event once (deduplicated on event_id), Parquet under /data/raw/events/dt=YYYY-MM-DD
  (the event's UTC date), Hive table `activity.events`; invalid messages, with the contract's reason, under
  /data/raw/rejected/dt=YYYY-MM-DD (the date Kafka received them), so nothing is lost and they can be counted.
- `minute-metrics`: per minute of event time and per site: events, page views, distinct users, 5xx errors,
  p50/p95 page-view latency, under /data/metrics/minute/dt=..., Hive table `activity.stream_metrics_minute`.

Exactly once: offsets and dedupe state are checkpointed on HDFS (/checkpoints/<query>), and a batch is published by
renaming its files under names carrying the batch id (archive_paths.py): a batch redone after a crash replaces
what its interrupted attempt published. Progress goes to a status file the health probe reads.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.streaming import StreamingQueryListener

import archive_paths as paths
from activity_contract import names
from activity_contract.events import TEXT_FIELDS, message_error

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP", "kafka:29092")
TRIGGER = f"{int(os.environ.get('STREAM_TRIGGER_S', '60'))} seconds"
# A message sent again (a producer's retry, a replay) arrives within this long of the first: Kafka's receive
# time bounds the dedupe state, not the event time, so a backfilled day (old event times) is archived, not dropped.
DEDUPE_WINDOW = f"{int(os.environ.get('STREAM_DEDUPE_HOURS', '2'))} hours"
# Minute metrics wait this long for late events, then the minute is final and written (append mode).
METRICS_LATENESS = f"{int(os.environ.get('STREAM_LATENESS_S', '120'))} seconds"
MAX_OFFSETS = os.environ.get("STREAM_MAX_OFFSETS_PER_BATCH", "100000")
STATUS_FILE = os.environ["STREAM_STATUS_FILE"]  # set by compose.yaml: the health probe and `lab status` read it

GEO = T.StructType([T.StructField("country", T.StringType()), T.StructField("city", T.StringType())])
DEVICE = T.StructType([T.StructField(f, T.StringType()) for f in ("type", "os", "browser")])
EVENT = T.StructType(
    [
        T.StructField("schema_version", T.IntegerType()),
        *[T.StructField(f, T.StringType()) for f in TEXT_FIELDS],
        T.StructField("http_status", T.IntegerType()),
        T.StructField("latency_ms", T.DoubleType()),
        T.StructField("geo", GEO),
        T.StructField("device", DEVICE),
        T.StructField("user_agent", T.StringType()),
    ]
)
EVENT_TIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSX"

# Since this driver started; late_dropped: events past STREAM_LATENESS_S, in the archive but not the minute metrics.
TOTALS: dict[str, int] = {"events": 0, "rejected": 0, "minute_rows": 0, "late_dropped": 0}
PENDING_PARTITIONS: dict[str, set[str]] = {"events": set(), "rejected_events": set(), "stream_metrics_minute": set()}
# The partitions this driver added: a day's folder gets its partition once, not at every batch (each ADD IF NOT
# EXISTS is a statement planned by Spark and two calls to the metastore). A partition dropped by hand while the driver
# runs comes back at its next start.
REGISTERED_PARTITIONS: dict[str, set[str]] = {table: set() for table in PENDING_PARTITIONS}


def log(message: str) -> None:
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} stream-archive: {message}", flush=True)


def kafka_rows(spark: SparkSession) -> DataFrame:
    """Every message of the topic with its place in Kafka, its contract error (None when valid) and the event."""
    raw = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", BOOTSTRAP)
        .option("subscribe", names.TOPIC_EVENTS)
        .option("startingOffsets", "earliest")  # the first start archives what Kafka still holds
        .option("failOnDataLoss", "false")  # records aged out of Kafka before being read: go on
        .option("maxOffsetsPerTrigger", MAX_OFFSETS)  # bounds a catch-up batch's memory
        .load()
    )
    check = F.udf(message_error, T.StringType())
    rows = raw.select(
        "value",
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
        F.col("timestamp").alias("kafka_ts"),
    ).withColumn("error", check("value"))
    event = F.from_json(F.col("value").cast("string"), EVENT)
    return rows.withColumn("event", F.when(F.col("error").isNull(), event)).withColumn(
        "event_ts", F.to_timestamp("event.event_time", EVENT_TIME_FORMAT)
    )


def archive_input(rows: DataFrame) -> DataFrame:
    # Rejected messages have no trustworthy event_id: their Kafka position is their identity.
    key = F.coalesce(F.col("event.event_id"), F.format_string("rejected:%d:%d", "kafka_partition", "kafka_offset"))
    return (
        rows.withColumn("dedupe_key", key)
        .withWatermark("kafka_ts", DEDUPE_WINDOW)
        .dropDuplicatesWithinWatermark(["dedupe_key"])
    )


def minute_metrics(rows: DataFrame) -> DataFrame:
    """The speed layer's minute_stats definitions (routing.counter_updates), per minute of event time."""
    page_view = F.col("event_type") == "page_view"
    latency = F.when(page_view, F.col("latency_ms"))
    events = (
        rows.where("error IS NULL")
        .select("event.*", "event_ts")
        .withWatermark("event_ts", METRICS_LATENESS)
        .dropDuplicatesWithinWatermark(["event_id"])
    )
    return (
        events.groupBy(F.window("event_ts", "1 minute"), "app_id")
        .agg(
            F.count(F.lit(1)).alias("events"),
            F.sum(page_view.cast("long")).alias("page_views"),
            F.approx_count_distinct("user_id", 0.01).alias("distinct_users"),
            F.sum((F.col("http_status") >= 500).cast("long")).alias("errors"),
            F.percentile_approx(latency, [0.5, 0.95], 10000).alias("latency"),
        )
        .select(
            F.col("window.start").alias("window_start"),
            F.col("window.end").alias("window_end"),
            "app_id",
            "events",
            "page_views",
            "distinct_users",
            "errors",
            F.col("latency")[0].alias("p50_latency_ms"),
            F.col("latency")[1].alias("p95_latency_ms"),
        )
        .withColumn("dt", F.date_format("window_start", "yyyy-MM-dd"))
    )


# ---- publishing a batch (Hadoop's FileSystem through the driver's JVM)


def _fs(spark: SparkSession):
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    return jvm, jvm.org.apache.hadoop.fs.Path("/").getFileSystem(conf)


def publish(batch: DataFrame, query: str, batch_id: int, root: str) -> set[str]:
    """Writes `batch` (with a `dt` column) as one Parquet file per dt, then renames each into root/dt=.../; returns
    the days it published."""
    spark = batch.sparkSession
    jvm, fs = _fs(spark)
    Path = jvm.org.apache.hadoop.fs.Path
    staging = paths.staging_dir(query, batch_id)
    fs.delete(Path(staging), True)
    batch.coalesce(1).write.partitionBy("dt").parquet(staging)
    days = set()
    for folder in fs.listStatus(Path(staging)):
        dt = paths.dt_of_folder(folder.getPath().getName())
        if dt is None:
            continue
        target = Path(paths.partition_dir(root, dt))
        fs.mkdirs(target)
        # An interrupted attempt of this batch may have published some files: they go, this attempt's replace them.
        for stale in fs.globStatus(Path(target, paths.batch_prefix(batch_id) + "*")) or []:
            fs.delete(stale.getPath(), False)
        files = sorted(
            f.getPath().toString()
            for f in fs.listStatus(folder.getPath())
            if f.getPath().getName().endswith(".parquet")
        )
        for index, name in enumerate(files):
            if not fs.rename(Path(name), Path(target, paths.published_name(batch_id, index))):
                raise RuntimeError(f"could not rename {name} into {target}")
        days.add(dt)
    fs.delete(Path(staging), True)
    return days


def register_partitions(spark: SparkSession, table: str, dts: set[str]) -> None:
    """Makes new dt folders visible in Hive; a metastore that does not answer is retried at the next batch."""
    pending = PENDING_PARTITIONS[table] | (dts - REGISTERED_PARTITIONS[table])
    for dt in sorted(pending):
        try:
            if not spark.catalog.tableExists(table, names.HIVE_DATABASE):
                raise LookupError(f"no table {names.HIVE_DATABASE}.{table} (hive-init applies hive/ddl)")
            spark.sql(f"ALTER TABLE {names.HIVE_DATABASE}.{table} ADD IF NOT EXISTS PARTITION (dt='{dt}')")
            pending.discard(dt)
            REGISTERED_PARTITIONS[table].add(dt)
        except Exception as exc:  # the metastore down or the table not created yet: the data is safe on HDFS
            log(f"partition dt={dt} of {table} not registered yet ({type(exc).__name__}: {str(exc)[:200]})")
            break
    PENDING_PARTITIONS[table] = pending


def archive_batch(batch: DataFrame, batch_id: int) -> None:
    # An event's day is its event time's; a rejected message's, the time Kafka received it. The batch is counted by
    # an Observation while its events are written (one Spark job, not a count first): every job of a micro-batch
    # costs about a second of CPU here, whatever its size.
    batch = batch.withColumn("dt", F.date_format(F.coalesce("event_ts", "kafka_ts"), "yyyy-MM-dd")).persist()
    try:
        counted = Observation(f"archive-{batch_id}")
        observed = batch.observe(
            counted,
            F.count_if(F.col("error").isNull()).alias("valid"),
            F.count_if(F.col("error").isNotNull()).alias("rejected"),
        )
        events = observed.where("error IS NULL").select(
            "event.*", "event_ts", "kafka_partition", "kafka_offset", "kafka_ts", "dt"
        )
        days = publish(events, "archive", batch_id, names.HDFS_RAW_EVENTS)
        valid, rejected = counted.get["valid"], counted.get["rejected"]
        rejected_days = set()
        if rejected:  # read from the cached batch: the messages as Kafka held them
            rejected_days = publish(
                batch.where("error IS NOT NULL").select(
                    F.col("value").cast("string").alias("raw"),
                    "error",
                    "kafka_partition",
                    "kafka_offset",
                    "kafka_ts",
                    "dt",
                ),
                "rejected",
                batch_id,
                names.HDFS_REJECTED_EVENTS,
            )
            log(
                f"archive batch {batch_id}: {rejected} invalid messages put aside "
                f"(Hive rejected_events, {names.HDFS_REJECTED_EVENTS})"
            )
        register_partitions(batch.sparkSession, "events", days)
        register_partitions(batch.sparkSession, "rejected_events", rejected_days)
        TOTALS["events"] += valid
        TOTALS["rejected"] += rejected
        if valid:
            log(f"archive batch {batch_id}: {valid} events (days {', '.join(sorted(days))})")
    finally:
        batch.unpersist()


def metrics_batch(batch: DataFrame, batch_id: int) -> None:
    counted = Observation(f"minute-metrics-{batch_id}")
    days = publish(
        batch.observe(counted, F.count(F.lit(1)).alias("rows")), "minute-metrics", batch_id, names.HDFS_MINUTE_METRICS
    )
    rows = counted.get["rows"]
    if rows:
        register_partitions(batch.sparkSession, "stream_metrics_minute", days)
        TOTALS["minute_rows"] += rows
        log(f"minute-metrics batch {batch_id}: {rows} site-minutes final")


class Progress(StreamingQueryListener):
    """Each query's latest progress, as Spark reports it to listeners (after every batch, and every 10 s while a
    query has no new data), kept in memory for the status file. Asking the queries instead (lastProgress, status,
    recentProgress) renders each report to JSON in the JVM and parses it here at every look: 0.03 of a core at a
    look every 10 s."""

    def __init__(self):
        self.latest: dict[str, dict] = {}
        self.late_counted_batch = -1  # the newest minute-metrics batch whose late rows are in TOTALS

    def onQueryStarted(self, event) -> None:
        pass

    def onQueryProgress(self, event) -> None:
        p = event.progress
        self.latest[p.name] = {"batch": p.batchId, "progress_at": p.timestamp, "input_rows": p.numInputRows}
        if p.numInputRows:  # where a batch's time went (Spark's own phases), for whoever tunes the trigger
            phases = ", ".join(
                f"{k} {v / 1000:.1f} s"
                for k, v in sorted(p.durationMs.items(), key=lambda kv: -kv[1])
                if k != "triggerExecution" and v >= 100
            )
            log(
                f"{p.name} batch {p.batchId}: {p.numInputRows} rows in {p.durationMs.get('triggerExecution', 0) / 1000:.1f} s"
                f" ({phases})"
            )
        if p.name == "minute-metrics" and p.batchId > self.late_counted_batch:
            TOTALS["late_dropped"] += sum(op.numRowsDroppedByWatermark for op in p.stateOperators)
            self.late_counted_batch = p.batchId

    def onQueryIdle(self, event) -> None:
        pass

    def onQueryTerminated(self, event) -> None:
        pass


def write_status(queries, progress: Progress) -> None:
    """What the health probe and `lab status` read: each query's state and last progress, the totals."""
    status = {
        "written_at": time.time(),
        "totals": TOTALS,
        "pending_partitions": {t: sorted(d) for t, d in PENDING_PARTITIONS.items()},
        "queries": {},
    }
    for q in queries:
        latest = progress.latest.get(q.name, {"batch": None, "progress_at": None, "input_rows": None})
        status["queries"][q.name] = {"active": q.isActive, **latest}
    tmp = STATUS_FILE + ".tmp"
    os.makedirs(os.path.dirname(STATUS_FILE), exist_ok=True)
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(status, f)
    os.replace(tmp, STATUS_FILE)


def main() -> int:
    spark = SparkSession.builder.appName("activity-stream-archive").enableHiveSupport().getOrCreate()
    progress = Progress()
    spark.streams.addListener(progress)
    rows = kafka_rows(spark)
    queries = [
        archive_input(rows)
        .writeStream.queryName("archive")
        .foreachBatch(archive_batch)
        .option("checkpointLocation", paths.checkpoint_dir("archive"))
        .trigger(processingTime=TRIGGER)
        .start(),
        minute_metrics(rows)
        .writeStream.queryName("minute-metrics")
        .outputMode("append")
        .foreachBatch(metrics_batch)
        .option("checkpointLocation", paths.checkpoint_dir("minute-metrics"))
        .trigger(processingTime=TRIGGER)
        .start(),
    ]
    log(
        f"archiving {names.TOPIC_EVENTS} from {BOOTSTRAP} every {TRIGGER} into {names.HDFS_RAW_EVENTS} and "
        f"{names.HDFS_MINUTE_METRICS} (checkpoints under {paths.CHECKPOINT_ROOT})"
    )
    while True:
        write_status(queries, progress)
        # Raises the failed query's error: the driver exits and Docker restarts it from the checkpoints.
        if spark.streams.awaitAnyTermination(10):
            log("a query stopped; exiting so the service restarts")
            return 1


if __name__ == "__main__":
    sys.exit(main())
