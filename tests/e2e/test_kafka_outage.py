"""Kafka stopped for 30 seconds while users browse: afterwards every event emitted meanwhile is in the topic
exactly once (by event_id), and the sites' counters show the spool took them. Runs with the lab's last tests:
it stops the broker."""

import json
import time
import uuid

import requests
from conftest import compose

from activity_clients import endpoints
from activity_contract import names
from activitylab.topic_reader import end_offsets, read_range
from activitylab.wait import wait
from lab_sites import SITES, counters, settled_counters, simulator_report

OUTAGE_S = 30  # the scenario's length, not a wait for readiness


def test_events_emitted_while_kafka_is_down_arrive_exactly_once(running_simulation):  # the users browse on
    start = end_offsets(names.TOPIC_EVENTS)
    before = {app: counters(app)["sink"] for app in SITES}
    session = f"e2e-outage-{uuid.uuid4().hex}"
    compose("stop", "kafka", timeout=120)
    sent, outage_end = 0, time.monotonic() + OUTAGE_S
    try:
        while time.monotonic() < outage_end:  # a test user browses shop all through the outage
            # Any status counts: every page request emits a page_view (SITE_ERROR_RATE injects some 500s).
            requests.get(
                endpoints.url("shop", "/catalog"),
                timeout=30,
                headers={"X-Lab-User": "e2e-outage", "X-Lab-Session": session},
            )
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

    # Everything acknowledged so far (the counters above) lies before the end offsets taken now.
    events = [json.loads(r.value) for r in read_range(start, end_offsets(names.TOPIC_EVENTS))]
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids)), "an event arrived twice"
    mine = [e for e in events if e["session_id"] == session]
    assert len(mine) == sent
    assert caught_up(events), produced
    for app in SITES:  # the simulated users browsed on through the outage; nothing was dropped
        assert produced[app] > 0 and during[app]["emitted"] > before[app]["emitted"], simulator_report(app)
        assert after[app]["spool_dropped"] == before[app]["spool_dropped"], app
