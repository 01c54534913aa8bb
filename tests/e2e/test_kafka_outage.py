"""Kafka stopped for 30 seconds while users browse: afterwards every event emitted meanwhile is in the topic
exactly once (by event_id), and the sites' counters show the spool took them. Runs with the lab's last tests:
it stops the broker."""
import json
import time
import uuid

import requests
from conftest import compose
from kafka import KafkaConsumer, TopicPartition
from lab_sites import SITES, counters, settled_counters

from activitylab.wait import wait

OUTAGE_S = 30  # the scenario's length, not a wait for readiness


def end_offsets(topic="user-activity"):
    consumer = KafkaConsumer(bootstrap_servers="localhost:9092")
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    ends = consumer.end_offsets(parts)
    consumer.close()
    return ends


def read_from(offsets, stop_when, timeout=120):
    consumer = KafkaConsumer(bootstrap_servers="localhost:9092", enable_auto_commit=False)
    consumer.assign(list(offsets))
    for part, offset in offsets.items():
        consumer.seek(part, offset)
    got, deadline = [], time.monotonic() + timeout
    while not stop_when(got) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            got.extend(json.loads(r.value) for r in records)
    consumer.close()
    return got


def test_events_emitted_while_kafka_is_down_arrive_exactly_once():
    start = end_offsets()
    before = {app: counters(app)["sink"] for app in SITES}
    session = f"e2e-outage-{uuid.uuid4().hex}"
    compose("stop", "kafka", timeout=120)
    sent, outage_end = 0, time.monotonic() + OUTAGE_S
    try:
        while time.monotonic() < outage_end:  # a test user browses shop all through the outage
            # Any status counts: every page request emits a page_view (SITE_ERROR_RATE injects some 500s).
            requests.get("http://localhost:5001/catalog", timeout=30,
                         headers={"X-Lab-User": "e2e-outage", "X-Lab-Session": session})
            sent += 1
            time.sleep(0.5)
        during = {app: counters(app)["sink"] for app in SITES}
    finally:
        compose("start", "kafka", timeout=300)
    assert wait(timeout=300) == 0
    assert during["shop"]["spooled"] - before["shop"]["spooled"] >= sent  # the spool took them

    after = {app: settled_counters(app, timeout=120)["sink"] for app in SITES}  # the spools have drained
    produced = {app: after[app]["produced"] - before[app]["produced"] for app in SITES}
    def caught_up(got):
        return all(sum(e["app_id"] == app for e in got) >= produced[app] for app in SITES)
    events = read_from(start, caught_up)
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids)), "an event arrived twice"
    mine = [e for e in events if e["session_id"] == session]
    assert len(mine) == sent
    assert caught_up(events), produced
    for app in SITES:  # the simulated users browsed on through the outage; nothing was dropped
        assert produced[app] > 0 and during[app]["emitted"] > before[app]["emitted"], app
        assert after[app]["spool_dropped"] == before[app]["spool_dropped"], app
