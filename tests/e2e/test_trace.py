"""`lab trace`: a request the test sends to a site, followed by the real command through Kafka, HBase, the archive's
Parquet file, Hive and the access log on HDFS; each hop checked against the system itself."""

import io
import json
import time
import uuid

import pyarrow.parquet as pq
import requests
from conftest import lab
from kafka import KafkaConsumer, TopicPartition

from activity_clients import endpoints
from activity_clients.prometheus import Prometheus
from activity_contract import names
from activity_contract.events import parse_event_time
from activitylab import webhdfs
from lab_speed import hbase

SPEED_LATENCY = "activitylab_speed_latency_seconds"
STATES = {"there", "not yet", "not there", "unknown"}


def lab_trace(*args):
    return lab("trace", *args)


def traced(event_id):
    run = lab_trace(event_id, "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    hops = {h["name"]: h for h in report["hops"]}
    assert {h["state"] for h in hops.values()} <= STATES, hops
    return report, hops


def trace_until(event_id, hop_names, timeout):
    """The report once every named hop is there; fails naming the hops still missing and what they say."""
    deadline = time.monotonic() + timeout
    while True:
        report, hops = traced(event_id)
        missing = {n: (hops[n]["state"], hops[n]["lines"]) for n in hop_names if hops[n]["state"] != "there"}
        if not missing:
            return report, hops
        assert time.monotonic() < deadline, f"not there within {timeout} s: {missing}"
        time.sleep(2)


def kafka_value(partition, offset):
    consumer = KafkaConsumer(bootstrap_servers=endpoints.kafka_bootstrap(), enable_auto_commit=False)
    try:
        tp = TopicPartition(names.TOPIC_EVENTS, partition)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        for _ in range(30):
            for record in consumer.poll(timeout_ms=1000).get(tp, []):
                return record
    finally:
        consumer.close()
    raise AssertionError(f"no record at {names.TOPIC_EVENTS} {partition}:{offset}")


def test_a_page_request_is_traced_through_every_hop(paused_simulation):
    user, session = f"trace-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    sent = time.time()
    response = requests.get(
        endpoints.url("shop", "/catalog"), headers={"X-Lab-User": user, "X-Lab-Session": session}, timeout=30
    )
    event_id = response.headers["X-Lab-Event-Id"]

    # Kafka and the speed layer within seconds
    report, hops = trace_until(event_id, ["Kafka", "speed layer (HBase)"], timeout=30)
    event, kafka = report["event"], report["kafka"]
    assert (event["event_id"], event["user_id"], event["page"]) == (event_id, user, "/catalog")
    record = kafka_value(kafka["partition"], kafka["offset"])
    assert json.loads(record.value)["event_id"] == event_id
    assert kafka["timestamp_type"] == "broker" and kafka["timestamp_ms"] == record.timestamp
    assert sent * 1000 - 1000 <= record.timestamp <= time.time() * 1000
    markers = hops["speed layer (HBase)"]["facts"]["markers"]
    page_row = f"{names.T_PAGE_COUNTS} shop#/catalog"
    assert {page_row, f"{names.T_USER_RECENT_PAGES} {user}", f"{names.T_SESSIONS} {session}"} <= set(markers), markers
    conn = hbase()
    try:
        cell = conn.table(names.T_PAGE_COUNTS).cells(
            b"shop#/catalog", names.dedupe_column(event_id), include_timestamp=True
        )
    finally:
        conn.close()
    assert [ts for _, ts in cell] == [markers[page_row]]  # the marker's own write time
    assert 0 <= hops["speed layer (HBase)"]["delay_ms"] < 60_000

    # The pipeline exporter's event -> HBase latency (monitoring/speed_latency.py) counts this event: its user row's
    # write time after the event's time is one of its samples for a minute, so the largest is at least that
    ours = markers[f"{names.T_USER_RECENT_PAGES} {user}"] - parse_event_time(event["event_time"]).timestamp() * 1000
    ours = round(ours) / 1000
    prometheus, deadline = Prometheus(), time.monotonic() + 40  # the exporter's next scrape, Prometheus' next
    while True:  # the three quantiles of one scrape
        latency = {r["metric"]["quantile"]: float(r["value"][1]) for r in prometheus.query(SPEED_LATENCY)}
        if latency.get("1", -1) >= ours:
            break
        assert time.monotonic() < deadline, f"the exporter's latency quantiles {latency} s, this event's {ours} s"
        time.sleep(2)
    assert 0 <= latency["0.5"] <= latency["0.95"] <= latency["1"] < 60, latency
    assert prometheus.value("activitylab_speed_latency_samples") >= 1

    # The archive's next micro-batch: its Parquet file and row, and Hive `events`; Flume's file with the request
    report, hops = trace_until(event_id, ["archive (Parquet)", "Hive events", "access log (HDFS)"], timeout=150)
    archived = hops["archive (Parquet)"]["facts"]
    rows = pq.read_table(io.BytesIO(webhdfs.read(archived["file"])), columns=["event_id", "kafka_offset"]).to_pylist()
    assert rows[archived["row"]] == {"event_id": event_id, "kafka_offset": kafka["offset"]}
    assert hops["Hive events"]["facts"]["file"].endswith(archived["file"])
    line = hops["access log (HDFS)"]["facts"]["line"]
    assert f" - {user} [" in line and '"GET /catalog HTTP/1.1" 200 ' in line, line
    assert hops["page_stats_daily"]["state"] == "not yet"  # today is built after midnight

    text = lab_trace(event_id)
    assert text.returncode == 0 and f"event {event_id}: page_view of shop /catalog by {user}" in text.stdout
    latest = lab_trace("--latest", "--app", "shop", "--json")
    assert latest.returncode == 0, latest.stderr
    newest = json.loads(latest.stdout)
    assert newest["event"]["app_id"] == "shop" and newest["kafka"]["timestamp_ms"] >= kafka["timestamp_ms"]


def test_an_unknown_event_id_is_said_so_with_exit_status_1():
    unknown = str(uuid.uuid4())
    run = lab_trace(unknown, "--since", "600")
    assert run.returncode == 1 and f"no event {unknown} in the last 600 s of user-activity" in run.stderr, run.stderr
    assert lab_trace("not-an-id").returncode == 2
