"""The cold archive (service spark-streaming, spark_jobs/stream_archive.py): Spark Structured Streaming reads Kafka
`user-activity` and writes every valid event once as Parquet under /data/raw/events/dt=<its UTC date>, read here
through Hive's `events` table as users read it.

Events the test produces straight to Kafka (one key, so one partition, in order) are found exactly once under their
own day: also a day-old event (a backfill), events sent twice, and events sent while the driver was killed with
SIGKILL and restarted by Docker. Invalid messages land in `rejected_events` with the contract's reason. The minute
metrics of a final minute equal what the test computes from the archive's events of that minute.
"""

import json
import math
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

from conftest import exec_in
from kafka import KafkaProducer

import archive_paths as paths
from activity_clients import endpoints
from activity_contract import names
from activity_contract.events import build_event
from activitylab import webhdfs
from lab_archive import container_state, hive_rows, wait_for

SERVICE = "spark-streaming"


def events_of(user, count, page_prefix, start=None):
    """Valid events of one user, timed from `start` (default: now, so they are not late for the minute metrics)."""
    start = start or datetime.now(UTC)
    return [
        build_event(
            event_type="page_view" if i % 3 else "click",
            app_id="learn",
            user_id=user,
            session_id=f"s-{user}",
            page=f"{page_prefix}/{i % 4}",
            section="e2e",
            http_status=200,
            latency_ms=10.0 + i,
            country="NL",
            city="Utrecht",
            device_type="mobile",
            os="Android",
            browser="Chrome",
            user_agent="e2e-archive",
            event_time=start + timedelta(milliseconds=37 * i),
        )
        for i in range(count)
    ]


def archived(user, days):
    """(event_id, dt) of every archived row of this user, as Hive reads them."""
    in_days = ", ".join(f"'{d}'" for d in sorted(days))
    return hive_rows(f"SELECT event_id, dt FROM events WHERE dt IN ({in_days}) AND user_id = '{user}'")


def send(producer, user, values):
    """Sends in order with one key (one partition); returns (partition, first offset, last offset)."""
    futures = [
        producer.send(
            names.TOPIC_EVENTS,
            key=user.encode(),
            value=value if isinstance(value, bytes) else json.dumps(value).encode(),
        )
        for value in values
    ]
    producer.flush()
    sent = [f.get(timeout=30) for f in futures]
    return sent[0].partition, sent[0].offset, sent[-1].offset


def batch_offsets(batch_id):
    """The end offsets (exclusive) per partition Spark planned for an archive batch (its offset log on HDFS)."""
    text = webhdfs.read(f"{paths.checkpoint_dir('archive')}/offsets/{batch_id}").decode()
    return {int(p): o for p, o in json.loads(text.splitlines()[2])[names.TOPIC_EVENTS].items()}


def kill_while_publishing(partition, first, last, timeout=120):
    """SIGKILLs the driver as soon as a batch holding offsets first..last of the partition is being published (its
    staging folder exists: files written, being renamed into place). Returns that batch id and whether its staging
    folder was still there after the kill (the kill landed mid-publish, not just after)."""
    staging = paths.staging_root("archive")
    seen, deadline = set(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in webhdfs.list_dir(staging):
            batch = int(entry["pathSuffix"])
            if batch in seen:
                continue
            seen.add(batch)
            start = batch_offsets(batch - 1).get(partition, 0) if batch else 0
            if start <= last and batch_offsets(batch)[partition] > first:
                killed = exec_in(SERVICE, "pkill", "-KILL", "-f", "org.apache.spark.deploy.SparkSubmit", check=False)
                assert killed.returncode == 0, f"no Spark driver to kill: {killed.stdout}{killed.stderr}"
                return batch, bool(webhdfs.list_dir(paths.staging_dir("archive", batch)))
        time.sleep(0.2)
    raise AssertionError(
        f"no archive batch with offsets {first}..{last} of partition {partition} published "
        f"within {timeout} s (batches seen publishing: {sorted(seen)})"
    )


def test_every_event_is_archived_once_under_its_day_across_duplicates_and_a_kill_9():
    run = uuid.uuid4().hex[:8]
    user = f"e2e-archive-{run}"
    now = datetime.now(UTC)
    yesterday = now - timedelta(days=1)
    first = events_of(user, 90, "/e2e-archive") + events_of(user, 30, "/e2e-late", start=yesterday)
    invalid = [
        b"not json " + run.encode(),
        json.dumps(dict(first[0], event_id=str(uuid.uuid4()), http_status="ok", target=run)).encode(),
        json.dumps(dict(first[0], event_id=str(uuid.uuid4()), app_id="nope", target=run)).encode(),
    ]
    days = {now.strftime("%Y-%m-%d"), yesterday.strftime("%Y-%m-%d")}
    producer = KafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap(), acks="all")

    send(producer, user, first + first[:40] + invalid)  # 40 sent twice in a row
    wait_for("the first 120 events in Hive `events`", lambda: len(archived(user, days)) >= len(first), timeout=240)

    state, restarts = container_state(SERVICE)
    assert state == "running", state
    second = events_of(user, 60, "/e2e-archive-2")
    batch, mid_publish = kill_while_publishing(*send(producer, user, second))
    print(f"killed the driver while publishing archive batch {batch} (staging left behind: {mid_publish})")
    # While the driver is down or starting again: 60 more, 40 events already archived sent again, then a marker.
    second += events_of(user, 60, "/e2e-archive-3")
    marker = events_of(user, 1, "/e2e-archive-end")[0]
    send(producer, user, second[60:] + first[40:80] + [marker])
    wait_for(
        "Docker restarting the killed driver",
        lambda: container_state(SERVICE) == ("running", restarts + 1),
        timeout=120,
        every=2,
    )
    days |= {marker["event_time"][:10]}  # past midnight since
    wait_for(
        "the marker sent last archived (everything before it in its partition is)",
        lambda: any(eid == marker["event_id"] for eid, _ in archived(user, days)),
        timeout=300,
    )

    rows = Counter(archived(user, days))
    expected = {(e["event_id"], e["event_time"][:10]) for e in first + second + [marker]}
    assert len(expected) == 241
    missing = expected - set(rows)
    assert not missing, f"{len(missing)} events not archived, e.g. {sorted(missing)[:3]}"
    assert set(rows) == expected, f"rows under another day or unknown: {sorted(set(rows) - expected)[:3]}"
    twice = {k: n for k, n in rows.items() if n != 1}
    assert not twice, f"{len(twice)} events archived more than once, e.g. {list(twice.items())[:3]}"

    today = now.strftime("%Y-%m-%d")
    rejected = hive_rows(f"SELECT raw, error FROM rejected_events WHERE dt = '{today}' AND raw LIKE '%{run}%'")
    reasons = sorted(error for _, error in rejected)
    assert len(rejected) == 3, rejected
    assert reasons[0].startswith("$: body is not valid JSON"), reasons
    assert any(r.startswith("app_id:") for r in reasons) and any(r.startswith("http_status:") for r in reasons), reasons


def nearest_rank(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def test_minute_metrics_equal_the_archived_events_of_a_final_minute():
    now = datetime.now(UTC)
    days = sorted({now.strftime("%Y-%m-%d"), (now - timedelta(minutes=10)).strftime("%Y-%m-%d")})
    in_days = ", ".join(f"'{d}'" for d in days)
    # A minute the streaming job wrote (final: its lateness passed) and the archive has surely caught up with.
    cutoff = (now - timedelta(minutes=4)).strftime("%Y-%m-%d %H:%M:%S")
    minutes = wait_for(
        "a final minute in stream_metrics_minute",
        lambda: hive_rows(
            f"SELECT window_start, window_end, app_id, events, page_views, distinct_users, errors, p50_latency_ms, "
            f"p95_latency_ms, dt FROM stream_metrics_minute WHERE dt IN ({in_days}) AND window_end <= '{cutoff}'"
        ),
        timeout=300,
        every=15,
    )
    # Events that reached Kafka after their minute was final are archived but, by design, not in the minute's
    # metrics (dropped as late: counted in spark-streaming's status, `late_dropped`). The newest minute
    # without any is compared, so the test's computation and the job's count the same events.
    for start, end, dt in sorted({(m[0], m[1], m[9]) for m in minutes}, reverse=True)[:5]:
        events = hive_rows(
            f"SELECT app_id, event_type, user_id, http_status, latency_ms, "
            f"unix_timestamp(kafka_ts) - unix_timestamp(event_ts) FROM events WHERE dt = '{dt}' "
            f"AND event_ts >= '{start}' AND event_ts < '{end}'"
        )
        if events and max(e[5] for e in events) < 60:
            break
    else:
        raise AssertionError(f"every one of the last 5 final minutes has events that arrived late: {minutes[:5]}")
    rows = [m for m in minutes if m[0] == start]
    assert {m[2] for m in rows} == {e[0] for e in events}, f"{start}: sites with metrics {rows}, in the archive"
    for row in rows:
        app = row[2]
        mine = [e[1:5] for e in events if e[0] == app]
        latencies = [lat for kind, _, _, lat in mine if kind == "page_view"]
        expected = (
            len(mine),
            len(latencies),
            len({user for _, user, _, _ in mine}),
            sum(1 for _, _, status, _ in mine if status >= 500),
        )
        assert tuple(row[3:7]) == expected, f"{app} {start}: metrics {row[3:7]}, archive {expected}"
        p50, p95 = nearest_rank(latencies, 0.5), nearest_rank(latencies, 0.95)
        assert (row[7], row[8]) == (p50, p95), f"{app} {start}: p50/p95 {row[7:9]}, archive {p50}/{p95}"
