"""Restart safety: after `make down && make up` every service is healthy again and a file, a row and a
message written before are still there (no clusterID clash, no stuck safe mode, no re-format)."""
import os
import subprocess
import uuid

import happybase
from conftest import ROOT
from kafka import KafkaConsumer, KafkaProducer

from activitylab import webhdfs
from activitylab.compose import containers
from activitylab.wait import classify


def make(target):
    proc = subprocess.run(["make", target], cwd=ROOT, text=True, capture_output=True, timeout=1500,
                          env=dict(os.environ, CI="true"))
    assert proc.returncode == 0, f"make {target} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_data_survives_down_and_up():
    marker = uuid.uuid4().hex
    path, payload = f"/tmp/e2e-restart-{marker}.txt", f"kept across restarts {marker}\n".encode()
    webhdfs.put(path, payload)
    conn = happybase.Connection("localhost", 9090, timeout=30000)
    conn.table("activity:sessions").put(f"e2e-{marker}".encode(), {b"c:page_count": b"7"})
    conn.close()
    producer = KafkaProducer(bootstrap_servers="localhost:9092", acks="all")
    producer.send("activity-alerts", key=marker.encode(), value=b"restart-check").get(30)
    producer.close()

    make("down")
    assert not [c for c in containers() if c.state == "running"]
    make("up")
    assert all(classify(c) == "ready" for c in containers())

    assert webhdfs.read(path) == payload
    conn = happybase.Connection("localhost", 9090, timeout=30000)
    assert conn.table("activity:sessions").row(f"e2e-{marker}".encode()) == {b"c:page_count": b"7"}
    conn.table("activity:sessions").delete(f"e2e-{marker}".encode())
    conn.close()
    consumer = KafkaConsumer("activity-alerts", bootstrap_servers="localhost:9092", auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=10000)
    assert [m.value for m in consumer if m.key == marker.encode()] == [b"restart-check"]
    consumer.close()
