"""Ingestion against the running lab: the three sites, their simulated users, /collect and Kafka."""
import json
import time
import uuid

import pytest
import requests
from event_cases import malformed_bodies, valid_event
from kafka import KafkaConsumer, TopicPartition

from activitylab.events import validate_event

SITES = {"shop": 5001, "news": 5002, "learn": 5003}
SIMULATED_USERS = {f"{app}-u{i:02d}" for app in SITES for i in range(1, 11)}


def admin(lab_env, app, method="GET", **body):
    r = requests.request(method, f"http://localhost:{SITES[app]}/admin/simulation", json=body or None, timeout=10,
                         headers={"Authorization": f"Bearer {lab_env['LAB_ADMIN_TOKEN']}"})
    assert r.status_code == 200, r.text
    return r.json()


def counters(app):
    return requests.get(f"http://localhost:{SITES[app]}/healthz", timeout=10).json()["counters"]


def settled_counters(app, timeout=30):
    """The site's counters once its sink holds nothing queued, in flight or spooled: `produced` is bumped
    by the producer's ack callback, which can run just after a consumer already sees the message."""
    deadline = time.monotonic() + timeout
    while True:
        c = counters(app)
        if c["sink"]["queued"] == c["sink"]["in_flight"] == c["sink"]["spool_pending"] == 0:
            return c
        if time.monotonic() > deadline:
            raise AssertionError(f"{app}: sink not settled after {timeout} s: {c['sink']}")
        time.sleep(0.2)


def consumer_at_end(topic="user-activity"):
    """A consumer positioned at the topic's current end: it sees only what is produced from now on."""
    consumer = KafkaConsumer(bootstrap_servers="localhost:9092", enable_auto_commit=False)
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_end(*parts)
    for p in parts:
        consumer.position(p)  # resolve the end offsets now, before the test produces anything
    return consumer


def drain(consumer, until, timeout=60):
    """Polls messages into a list until `until(messages)` holds or the timeout passes."""
    got, deadline = [], time.monotonic() + timeout
    while not until(got) and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=1000).values():
            got.extend(records)
    return got


def wait_until_quiet(app, timeout=20):
    """Waits until the site's emitted counter stops moving (the simulated users are paused)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        now = counters(app)["sink"]["emitted"]
        if now == last:
            return
        last = now
        time.sleep(1.5)
    raise AssertionError(f"{app} kept emitting for {timeout} s after pause")


@pytest.fixture
def running_simulation(lab_env):
    for app in SITES:
        admin(lab_env, app, "PUT", paused=False)


@pytest.fixture
def paused_simulation(lab_env):
    for app in SITES:
        assert admin(lab_env, app, "PUT", paused=True)["paused"] is True
    yield
    for app in SITES:
        admin(lab_env, app, "PUT", paused=False)


def test_simulated_users_of_all_three_sites_reach_the_topic_within_60_s(running_simulation):
    consumer = consumer_at_end()

    def enough(msgs):
        events = [json.loads(m.value) for m in msgs]
        return {e["app_id"] for e in events} == set(SITES) and len({e["user_id"] for e in events} & SIMULATED_USERS) >= 25
    messages = drain(consumer, enough, timeout=60)
    consumer.close()
    events = [json.loads(m.value) for m in messages]
    assert {e["app_id"] for e in events} == set(SITES)
    assert len({e["user_id"] for e in events} & SIMULATED_USERS) >= 25
    for m, e in zip(messages, events):
        assert validate_event(e) == [], e
        assert m.key.decode() == e["user_id"]


def test_paused_site_turns_n_requests_into_exactly_n_page_views(paused_simulation):
    wait_until_quiet("shop")
    before = settled_counters("shop")
    consumer = consumer_at_end()
    user, session = f"e2e-{uuid.uuid4().hex[:8]}", f"e2e-session-{uuid.uuid4().hex}"
    pages = ["/", "/catalog", "/product/1", "/search?q=lamp", "/cart", "/no-such-page"] * 3 + ["/", "/catalog"]
    statuses = []
    for page in pages:
        r = requests.get(f"http://localhost:5001{page}", headers={"X-Lab-User": user, "X-Lab-Session": session},
                         timeout=30)
        statuses.append(r.status_code)
    assert 404 in statuses

    def mine(msgs):
        return [e for e in (json.loads(m.value) for m in msgs) if e["session_id"] == session]
    messages = drain(consumer, lambda msgs: len(mine(msgs)) >= len(pages), timeout=30)
    consumer.close()
    events = mine(messages)
    assert len(events) == len(pages) == 20
    assert [e["page"] for e in events] == [p.split("?")[0] for p in pages]  # same key: one partition, in order
    assert [e["http_status"] for e in events] == statuses
    assert {(e["event_type"], e["user_id"]) for e in events} == {("page_view", user)}
    after = settled_counters("shop")
    assert after["sink"]["emitted"] - before["sink"]["emitted"] == len(pages)
    assert after["sink"]["produced"] - before["sink"]["produced"] == len(pages)
    assert after["site"]["page_views"] - before["site"]["page_views"] == len(pages)


def test_malformed_collect_bodies_get_their_4xx_and_never_reach_the_topic():
    session = f"e2e-bad-{uuid.uuid4().hex}"
    good = valid_event(session_id=session, user_id="shop-u01")
    cases = malformed_bodies(good)
    assert len(cases) >= 20
    before = counters("shop")["site"]["collect_rejects"]
    consumer = consumer_at_end()
    for name, body, status, field in cases:
        r = requests.post("http://localhost:5001/collect", data=body, timeout=30,
                          headers={"Content-Type": "application/json"})
        assert r.status_code == status, (name, r.text)
        assert r.json()["field"] == field, (name, r.json())
    assert counters("shop")["site"]["collect_rejects"] - before == len(cases)
    # A valid event with the same key goes last: once it is in the topic, anything sent before it is too.
    r = requests.post("http://localhost:5001/collect", json=good, timeout=30)
    assert r.status_code == 202, r.text
    messages = drain(consumer, lambda msgs: any(json.loads(m.value)["event_id"] == good["event_id"] for m in msgs))
    consumer.close()
    arrived = [json.loads(m.value) for m in messages if session.encode() in m.value]
    assert arrived == [good]
