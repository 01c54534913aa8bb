"""`lab trace EVENT_ID` and `lab trace --latest --app APP`: one event followed through every hop of the pipeline,
each read with that system's own means (docs/trace.md shows an example):

- Kafka: the record in `user-activity` (read backwards from the end, a chunk per partition at a time), its partition,
  offset and the broker's timestamp;
- the speed layer: its markers in HBase (`d:<event_id>`, written in the same mutation as the counters it changed)
  and those counters now, with the cells' write times; "not yet" while the spout has not committed past it;
- the archive: the micro-batch that read its offset (the checkpoint on HDFS), that batch's Parquet file and the
  event's row in it; then its row in Hive `events`;
- the batch layer: the `page_stats_daily` row it counts in, once its day is built;
- its request's line in the site's access log on HDFS (Flume's files of its day).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable

from activity_clients import endpoints
from activity_clients.archive_checkpoint import batch_reading
from activity_clients.checkout import read_env
from activity_contract import names

from . import webhdfs
from .storm import spout_offsets
from .topic_reader import read_range
from .trace_report import (
    NOT_THERE,
    NOT_YET,
    THERE,
    UNKNOWN,
    Hop,
    KafkaRecord,
    day_of,
    delay,
    event_ms,
    is_its_request,
    speed_rows,
)

CHUNK = 5000  # records read per partition at a time, newest first
LOG_FILES_READ = 4  # access-log files of the event's day read at most (the first written after it)
SPEED, ARCHIVE, HIVE_EVENTS = "speed layer (HBase)", "archive (Parquet)", "Hive events"
PAGE_STATS, ACCESS_LOG = "page_stats_daily", "access log (HDFS)"


class NotFound(LookupError):
    pass


def find_record(event_id: str | None, app: str | None, since_s: int, progress: Callable[[str], None]) -> KafkaRecord:
    """The event's record (by id), or the newest record of `app`, within the last `since_s` seconds of the topic."""
    from kafka import KafkaConsumer, TopicPartition

    bootstrap = endpoints.kafka_bootstrap()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [
            TopicPartition(names.TOPIC_EVENTS, p)
            for p in sorted(consumer.partitions_for_topic(names.TOPIC_EVENTS) or ())
        ]
        ends, starts = consumer.end_offsets(parts), consumer.beginning_offsets(parts)
        at_since = consumer.offsets_for_times({tp: int((time.time() - since_s) * 1000) for tp in parts})
    finally:
        consumer.close()
    floor = {tp: max(starts[tp], at_since[tp].offset if at_since.get(tp) else ends[tp]) for tp in parts}
    needle = (event_id or app or "").encode()  # a cheap filter before parsing the JSON
    hi, read = dict(ends), 0
    while any(hi[tp] > floor[tp] for tp in parts):
        lo = {tp: max(floor[tp], hi[tp] - CHUNK) for tp in parts}
        records = read_range(lo, hi, bootstrap)
        read += len(records)
        found = [r for r in records if r.value and needle in r.value and _matches(r.value, event_id, app)]
        if found:
            # the newest of a site; of an id sent twice (at least once delivery), the first: what the layers kept
            r = max(found, key=_arrival) if app and not event_id else min(found, key=_arrival)
            kind = "broker" if r.timestamp_type == 1 else "producer"
            return KafkaRecord(r.partition, r.offset, r.timestamp, kind, json.loads(r.value))
        hi = lo
        progress(f"lab trace: {read} records of {names.TOPIC_EVENTS} read, newest first ...")
    what = f"no event {event_id}" if event_id else f"no event of {app}"
    raise NotFound(
        f"{what} in the last {since_s} s of {names.TOPIC_EVENTS} ({read} records read); --since SECONDS looks further"
    )


def _arrival(record) -> tuple[int, int]:
    return record.timestamp, record.offset


def _matches(value: bytes, event_id: str | None, app: str | None) -> bool:
    try:
        event = json.loads(value)
    except ValueError:
        return False  # a malformed message (the speed layer sends it to the DLQ): never the event asked for
    if not isinstance(event, dict):
        return False
    return event.get("event_id") == event_id if event_id else event.get("app_id") == app


def kafka_hop(record: KafkaRecord) -> Hop:
    return Hop(
        "Kafka",
        THERE,
        record.timestamp_ms,
        [f"{names.TOPIC_EVENTS} partition {record.partition}, offset {record.offset} ({record.timestamp_type} time)"],
        {"partition": record.partition, "offset": record.offset},
    )


def speed_hop(record: KafkaRecord) -> Hop:
    """Its markers and counters in HBase; not yet while the spout has not committed past its offset."""
    from activity_clients import hbase

    event, marker = record.event, names.dedupe_column(record.event["event_id"])
    conn = hbase.connect()
    try:
        cells: dict[str, dict] = {}
        for table, row, counters in speed_rows(event):
            read = conn.table(table).row(row, columns=[marker, *counters], include_timestamp=True)
            cells[f"{table} {row.decode()}"] = read
        sessions = conn.table(names.T_SESSIONS)
        for key, read in sessions.scan(
            row_prefix=event["session_id"].encode(), columns=[marker], include_timestamp=True
        ):
            if read:
                cells[f"{names.T_SESSIONS} {key.decode()}"] = read
    finally:
        conn.close()
    marked = {where: read[marker][1] for where, read in cells.items() if marker in read}
    lines = []
    for where, read in cells.items():
        if marker not in read:
            continue
        written = ", ".join(
            f"{col.decode().split(':', 1)[1]}={names.decode_counter(v)} (last written {delay(ts, event_ms(event))})"
            for col, (v, ts) in sorted(read.items())
            if col != marker
        )
        lines.append(f"{where}: marker {delay(read[marker][1], event_ms(event))}" + (f"; {written}" if written else ""))
    if marked:
        missing = [w.split(" ", 1)[0] for w in cells if w not in marked]
        lines += [f"{t}: no marker yet" for t in missing]
        return Hop(SPEED, THERE, max(marked.values()), lines, {"markers": marked})
    committed = spout_offsets()[record.partition][0]
    if committed is not None and committed > record.offset:
        ttl = read_env().get("SPEED_DEDUPE_TTL_S", "7200")
        return Hop(
            SPEED,
            NOT_THERE,
            lines=[f"the spout is past it (committed offset {committed}) and no marker is left: markers live {ttl} s"],
        )
    return Hop(
        SPEED,
        NOT_YET,
        lines=[f"the spout has committed offset {committed} of partition {record.partition} (`lab storm status`)"],
    )


def archive_hop(record: KafkaRecord) -> Hop:
    """The micro-batch that read its offset, that batch's Parquet file under the event's day and its row there."""
    import pyarrow.parquet as pq

    hdfs = webhdfs.HDFS
    batch, next_offset = batch_reading(hdfs, names.TOPIC_EVENTS, record.partition, record.offset)
    name = ARCHIVE
    if batch is None and next_offset <= record.offset:
        trigger = read_env().get("STREAM_TRIGGER_S", "60")
        return Hop(
            name,
            NOT_YET,
            lines=[
                f"the archive has read partition {record.partition} up to offset {next_offset}; "
                f"its next micro-batch starts within {trigger} s"
            ],
        )
    if batch is None:
        return Hop(name, UNKNOWN, lines=["read by a micro-batch older than the checkpoint keeps: Hive says where"])
    folder = f"{names.HDFS_RAW_EVENTS}/dt={day_of(record.event)}"
    prefix = f"part-b{batch:010d}-"
    for status in webhdfs.list_dir(folder):
        if not status["pathSuffix"].startswith(prefix):
            continue
        path = f"{folder}/{status['pathSuffix']}"
        table = pq.read_table(io.BytesIO(webhdfs.read(path)), columns=["event_id"])
        ids = table.column("event_id").to_pylist()
        if record.event["event_id"] in ids:
            row = ids.index(record.event["event_id"])
            return Hop(
                name,
                THERE,
                status["modificationTime"],
                [f"{path} (micro-batch {batch}), row {row} of {len(ids)}"],
                {"file": path, "batch": batch, "row": row},
            )
    return Hop(
        name,
        NOT_THERE,
        lines=[
            f"micro-batch {batch} read it, and its files under {folder} do not hold it: a repeat of an event "
            "archived before (the archive keeps each event id once), or rejected (Hive rejected_events)"
        ],
    )


def hive_hops(record: KafkaRecord, archived: Hop) -> list[Hop]:
    """Its row in Hive `events` (once archived), and the `page_stats_daily` row it counts in (once its day is built)."""
    from activity_clients import hive

    event, day = record.event, day_of(record.event)
    try:
        conn = hive.connect()
    except Exception as exc:  # the batch profile is off, or HiveServer2 is starting
        reason = f"HiveServer2 did not answer ({type(exc).__name__}); it runs with the batch profile"
        return [Hop(HIVE_EVENTS, UNKNOWN, lines=[reason]), Hop(PAGE_STATS, UNKNOWN, lines=[reason])]
    try:
        cursor = conn.cursor()
        hops = [_events_row(cursor, event, day, archived), _page_stats_row(cursor, event, day)]
        cursor.close()
        return hops
    finally:
        conn.close()


def _events_row(cursor, event: dict, day: str, archived: Hop) -> Hop:
    if archived.state == NOT_YET:
        return Hop(HIVE_EVENTS, NOT_YET, lines=["after the archive's micro-batch"])
    cursor.execute(
        "SELECT kafka_partition, kafka_offset, INPUT__FILE__NAME FROM events WHERE dt = %(dt)s AND event_id = %(id)s",
        {"dt": day, "id": event["event_id"]},
    )
    rows = cursor.fetchall()
    if not rows:
        cursor.execute(f"SHOW PARTITIONS events PARTITION (dt='{day}')")
        why = "its partition is registered" if cursor.fetchall() else f"partition dt={day} is not registered"
        return Hop(HIVE_EVENTS, NOT_THERE, lines=[f"no row with this event_id ({why})"])
    partition, offset, path = rows[0]
    return Hop(
        HIVE_EVENTS,
        THERE,
        archived.at_ms,
        [f"SELECT ... FROM events WHERE dt='{day}' AND event_id=...: partition {partition}, offset {offset}, {path}"],
        {"rows": len(rows), "file": path},
    )


def _page_stats_row(cursor, event: dict, day: str) -> Hop:
    name = PAGE_STATS
    if event["event_type"] != "page_view":
        return Hop(name, NOT_THERE, lines=[f"it counts page views; this is a {event['event_type']}"])
    cursor.execute(f"SHOW PARTITIONS page_stats_daily PARTITION (dt='{day}')")
    if not cursor.fetchall():
        return Hop(
            name, NOT_YET, lines=[f"day {day} is not built: `lab batch run --date {day}` (Airflow: after midnight)"]
        )
    cursor.execute(
        "SELECT views, unique_users, avg_latency_ms, errors FROM page_stats_daily "
        "WHERE dt = %(dt)s AND app_id = %(app)s AND page = %(page)s",
        {"dt": day, "app": event["app_id"], "page": event["page"]},
    )
    rows = cursor.fetchall()
    if not rows:
        return Hop(name, NOT_THERE, lines=[f"day {day} is built and has no row for {event['app_id']} {event['page']}"])
    built = webhdfs.HDFS.status(f"{names.HDFS_WAREHOUSE}/page_stats_daily/dt={day}")
    views, users, latency, errors = rows[0]
    return Hop(
        name,
        THERE,
        built["modificationTime"] if built else None,
        [
            f"{event['app_id']} {event['page']} on {day}: {views} views, {users} users, {latency} ms on average, {errors} errors"
        ],
        {"views": views},
    )


def access_log_hop(record: KafkaRecord) -> Hop:
    """Its request's line in the site's access log on HDFS: in the first files of its day written after it."""
    event, name = record.event, ACCESS_LOG
    if event["event_type"] != "page_view":
        return Hop(
            name, NOT_THERE, lines=[f"only page views are requests of their own; this is a {event['event_type']}"]
        )
    folder = f"{names.HDFS_LOGS}/{event['app_id']}/access/dt={day_of(event)}"
    since = event_ms(event)
    # Files closed after the event, oldest first, then the one Flume has open (its time is when it was opened)
    listed = webhdfs.list_dir(folder)
    closed = sorted((s for s in listed if s["modificationTime"] >= since and not _open(s)), key=_mtime)
    for status in [*closed[:LOG_FILES_READ], *filter(_open, listed)]:
        path = f"{folder}/{status['pathSuffix']}"
        for line in webhdfs.read(path).decode("utf-8", "replace").splitlines():
            if is_its_request(line, event):
                when, written = (None, "Flume's open file") if _open(status) else (_mtime(status), "closed then")
                return Hop(name, THERE, when, [f"{path} ({written}):", line], {"file": path, "line": line})
    roll = int(read_env().get("FLUME_ROLL_SECONDS", "300"))
    if time.time() * 1000 - since < (roll + 120) * 1000:
        return Hop(name, NOT_YET, lines=[f"Flume ships the site's log to {folder} within about {roll} s"])
    return Hop(name, NOT_THERE, lines=[f"no line of this request in the first files of {folder} written after it"])


def _open(status: dict) -> bool:
    return status["pathSuffix"].endswith(".tmp")  # Flume's file being written (renamed when it rolls)


def _mtime(status: dict) -> int:
    return status["modificationTime"]


def trace(record: KafkaRecord) -> list[Hop]:
    """Every hop; one whose system does not answer is reported so, and the others are still traced."""
    archived = _answered(ARCHIVE, archive_hop, record)
    try:
        batch = hive_hops(record, archived)
    except Exception as exc:
        batch = [Hop(HIVE_EVENTS, UNKNOWN, lines=[_why(exc)]), Hop(PAGE_STATS, UNKNOWN, lines=[_why(exc)])]
    return [
        kafka_hop(record),
        _answered(SPEED, speed_hop, record),
        archived,
        *batch,
        _answered(ACCESS_LOG, access_log_hop, record),
    ]


def _answered(name: str, step: Callable[[KafkaRecord], Hop], record: KafkaRecord) -> Hop:
    try:
        return step(record)
    except Exception as exc:
        return Hop(name, UNKNOWN, lines=[_why(exc)])


def _why(exc: Exception) -> str:
    return f"did not answer: {type(exc).__name__}: {exc}"[:300]
