"""Restart safety: after `make down && make up` every service is healthy again and a file, a row and a
message written before are still there (no clusterID clash, no stuck safe mode, no re-format), and the speed
layer's topology runs again with its counters going on from their values; Hive's tables and rows are kept and
its metastore starts on the schema it created."""
import os
import subprocess
import time
import uuid

import happybase
import requests
from conftest import ROOT, compose
from pyhive import hive
from kafka import KafkaProducer, TopicPartition
from lab_speed import counter

from activity_contract import names
from activitylab import webhdfs
from activitylab.compose import containers
from activitylab.nimbus import topology_summary
from activitylab.topic_reader import read_range
from activitylab.wait import classify


def make(target):
    proc = subprocess.run(["make", target], cwd=ROOT, text=True, capture_output=True, timeout=1500,
                          env=dict(os.environ, CI="true"))
    assert proc.returncode == 0, f"make {target} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def compose_logs(service):
    return compose("logs", "--no-color", service).stdout


def visit_learn(page, n):
    for _ in range(n):
        requests.get(f"http://localhost:5003{page}", timeout=30, headers={"X-Lab-User": "e2e-restart"})


def views_reach(conn, page, n, timeout=60):
    """Waits until the speed layer counted n views of the page; returns the count then (it must stay n)."""
    deadline, views = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        views = counter(conn, names.T_PAGE_COUNTS, names.page_row("learn", page), names.C_VIEWS)
        if views >= n:
            return views
        time.sleep(0.2)
    raise AssertionError(f"page_counts of {page}: {views} after {timeout} s, expected {n}")


def test_data_survives_down_and_up():
    marker = uuid.uuid4().hex
    page = f"/e2e-restart-{marker[:8]}"
    conn = happybase.Connection("localhost", 9090, timeout=30000)
    visit_learn(page, 5)
    assert views_reach(conn, page, 5) == 5
    conn.close()
    table = f"e2e_restart_{marker[:8]}"
    cur = hive.connect("localhost", 10000, auth="NONE", database="activity").cursor()
    cur.execute(f"CREATE TABLE {table} (k STRING, v INT) STORED AS ORC")
    cur.execute(f"INSERT INTO {table} VALUES ('kept', 1), ('across', 2), ('restarts', 3)")
    cur.close()
    path, payload = f"/tmp/e2e-restart-{marker}.txt", f"kept across restarts {marker}\n".encode()
    webhdfs.put(path, payload)
    conn = happybase.Connection("localhost", 9090, timeout=30000)
    conn.table("activity:sessions").put(f"e2e-{marker}".encode(), {b"c:page_count": b"7"})
    conn.close()
    producer = KafkaProducer(bootstrap_servers="localhost:9092", acks="all")
    sent = producer.send(names.TOPIC_ALERTS, key=marker.encode(), value=b"restart-check").get(30)
    producer.close()

    make("down")
    assert not [c for c in containers() if c.state == "running"]
    make("up")
    assert all(classify(c) == "ready" for c in containers())

    assert webhdfs.read(path) == payload
    # Hive: the metastore found its schema current (no re-creation, no "already exists"), the table and its
    # rows are still there.
    metastore_log = compose_logs("hive-metastore")
    assert "No schema upgrade required" in metastore_log and "already exists" not in metastore_log
    cur = hive.connect("localhost", 10000, auth="NONE", database="activity").cursor()
    cur.execute(f"SELECT k, v FROM {table} ORDER BY v")
    assert cur.fetchall() == [("kept", 1), ("across", 2), ("restarts", 3)]
    cur.execute(f"DROP TABLE {table}")
    cur.close()
    conn = happybase.Connection("localhost", 9090, timeout=30000)
    # The speed layer runs again (storm-deploy found it unchanged) and its counters go on from their values.
    topology = topology_summary()
    assert topology is not None and topology["status"] == "ACTIVE"
    visit_learn(page, 3)
    assert views_reach(conn, page, 8) == 8
    assert conn.table("activity:sessions").row(f"e2e-{marker}".encode()) == {b"c:page_count": b"7"}
    conn.table("activity:sessions").delete(f"e2e-{marker}".encode())
    conn.close()
    # The acknowledged message is still at the offset Kafka gave it (read by offset: a just-restarted broker
    # may take a while to serve the first fetch).
    at = TopicPartition(names.TOPIC_ALERTS, sent.partition)
    kept = read_range({at: sent.offset}, {at: sent.offset + 1})
    assert [(m.key, m.value) for m in kept] == [(marker.encode(), b"restart-check")]
