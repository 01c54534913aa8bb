"""Restart safety: after `make down && make up` every service is healthy again and a file, a row and a
message written before are still there (no clusterID clash, no stuck safe mode, no re-format), and the speed
layer's topology runs again with its counters going on from their values; Hive's tables (in the metastore) and rows are kept and
its metastore starts on the schema it created. The stop comes while the simulated users browse at speed 5:
every event the sites emitted up to it is in Kafka afterwards, exactly once by event_id."""

import json
import os
import subprocess
import time
import uuid
from datetime import UTC, datetime

import requests
from conftest import ROOT, compose, exec_in
from kafka import KafkaProducer, TopicPartition

from activity_clients import endpoints
from activity_clients import hbase as lab_hbase
from activity_clients import hive as lab_hive
from activity_clients.nimbus import topology_summary
from activity_contract import names
from activity_contract.events import parse_event_time
from activitylab import webhdfs
from activitylab.compose import containers
from activitylab.topic_reader import end_offsets, read_range
from activitylab.wait import classify
from lab_sites import (
    SITES,
    counters,
    settled_counters,
    simulation,
    simulation_restored,
    simulator_report,
    wait_until_quiet,
)
from lab_speed import counter
from producers.kafka_sink import CLOSED

BROWSE_S = 10  # the simulated users browse this long at speed 5 before the stop (a scenario, not a wait)


def make(target):
    proc = subprocess.run(
        ["make", target], cwd=ROOT, text=True, capture_output=True, timeout=1500, env=dict(os.environ, CI="true")
    )
    assert proc.returncode == 0, f"make {target} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def compose_logs(service):
    return compose("logs", "--no-color", service).stdout


def visit_learn(page, n):
    for _ in range(n):
        requests.get(endpoints.url("learn", page), timeout=30, headers={"X-Lab-User": "e2e-restart"})


def views_reach(conn, page, n, timeout=60):
    """Waits until the speed layer counted n views of the page; returns the count then (it must stay n)."""
    deadline, views = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        views = counter(conn, names.T_PAGE_COUNTS, names.page_row("learn", page), names.C_VIEWS)
        if views >= n:
            return views
        time.sleep(0.2)
    raise AssertionError(f"page_counts of {page}: {views} after {timeout} s, expected {n}")


def last_closed_counters(app):
    """The sink counters the site's last process logged as it stopped (error.log in the site volume)."""
    log = exec_in("flume", "grep", "-F", CLOSED, f"/site/logs/{app}/error.log", check=False).stdout
    closed = [line.split(CLOSED, 1)[1] for line in log.splitlines() if CLOSED in line]
    assert closed, f"{app}: no '{CLOSED}' line in error.log"
    return json.loads(closed[-1])


def quiet_baseline(token):
    """Pauses the users and lets every sink settle: (emitted per site, the topic's end offsets) then."""
    for app in SITES:
        simulation(app, token, paused=True)
    for app in SITES:
        wait_until_quiet(app)
    emitted = {app: settled_counters(app)["sink"]["emitted"] for app in SITES}
    return emitted, end_offsets(names.TOPIC_EVENTS)


def test_data_survives_down_and_up(lab_env):
    marker = uuid.uuid4().hex
    page = f"/e2e-restart-{marker[:8]}"
    conn = lab_hbase.connect()
    visit_learn(page, 5)
    assert views_reach(conn, page, 5) == 5
    conn.close()
    # A table in the metastore over rows on HDFS (plain SELECTs below: HiveServer2 reads them, no YARN job)
    table, folder = f"e2e_restart_{marker[:8]}", f"/tmp/e2e-restart-hive-{marker[:8]}"
    webhdfs.put(f"{folder}/part-0.csv", b"kept,1\nacross,2\nrestarts,3\n")
    cur = lab_hive.connect().cursor()
    cur.execute(
        f"CREATE EXTERNAL TABLE {table} (k STRING, v INT) "
        f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '{folder}'"
    )
    cur.close()
    path, payload = f"/tmp/e2e-restart-{marker}.txt", f"kept across restarts {marker}\n".encode()
    webhdfs.put(path, payload)
    conn = lab_hbase.connect()
    conn.table("activity:sessions").put(f"e2e-{marker}".encode(), {b"c:page_count": b"7"})
    conn.close()
    producer = KafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap(), acks="all")
    sent = producer.send(names.TOPIC_ALERTS, key=marker.encode(), value=b"restart-check").get(30)
    producer.close()

    token = lab_env["LAB_ADMIN_TOKEN"]
    with simulation_restored(token):
        emitted_before, start = quiet_baseline(token)
        for app in SITES:
            simulation(app, token, paused=False, speed=5.0)
        time.sleep(BROWSE_S)
        browsing = {app: counters(app)["sink"]["emitted"] for app in SITES}

        make("down")
        assert not [c for c in containers() if c.state == "running"]
        between = datetime.now(UTC)  # events before this come from the stopped processes
        make("up")
        assert all(classify(c) == "ready" for c in containers())

        # Nothing emitted before the stop is lost or doubled: the sinks drained or spooled it, the new
        # processes sent the spool (spool_recovered), and each event is in the topic once.
        closed = {app: last_closed_counters(app) for app in SITES}
        after = {app: settled_counters(app, timeout=120)["sink"] for app in SITES}
        events = [json.loads(r.value) for r in read_range(start, end_offsets(names.TOPIC_EVENTS))]
        before_stop = [e for e in events if parse_event_time(e["event_time"]) < between]
        ids = [e["event_id"] for e in before_stop]
        assert len(ids) == len(set(ids)), "an event emitted before the stop is in the topic twice"
        for app in SITES:
            assert browsing[app] > emitted_before[app], f"users not browsing before the stop: {simulator_report(app)}"
            assert closed[app]["emitted"] >= browsing[app] and closed[app]["spool_dropped"] == 0, closed[app]
            assert after[app]["spool_recovered"] == closed[app]["spool_pending"], (closed[app], after[app])
            mine = [e for e in before_stop if e["app_id"] == app]
            assert len(mine) == closed[app]["emitted"] - emitted_before[app], (app, closed[app], emitted_before[app])

    assert webhdfs.read(path) == payload
    # Hive: the metastore's schematool found its schema current (no re-creation, no "already exists"), the table
    # and its rows are still there. Only the schematool's part of the log: once the metastore serves, the streaming
    # archive's ADD IF NOT EXISTS PARTITION logs "Not adding partition ... as it already exists" on every batch.
    metastore_log = compose_logs("hive-metastore")
    start = metastore_log.rindex("creating or upgrading the metastore schema")  # the last start's schematool
    schematool = metastore_log[start : metastore_log.index("Starting hive metastore on port", start)]
    assert "No schema upgrade required" in schematool and "already exists" not in schematool
    cur = lab_hive.connect().cursor()
    cur.execute(f"SELECT k, v FROM {table}")
    assert sorted(cur.fetchall(), key=lambda row: row[1]) == [("kept", 1), ("across", 2), ("restarts", 3)]
    cur.execute(f"DROP TABLE {table}")
    webhdfs.delete(folder, recursive=True)
    cur.close()
    conn = lab_hbase.connect()
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
