"""Ingestion against the running lab: the three sites, their simulated users, /collect and Kafka."""

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import requests

from activity_clients import endpoints
from activity_contract import names
from activity_contract.events import parse_event_time, validate_event
from activitylab.topic_reader import end_offsets, read_range
from event_cases import malformed_bodies, valid_event
from lab_sites import (
    SIMULATED_USERS,
    SITES,
    consumer_at_end,
    counters,
    drain,
    settled_counters,
    simulation,
    simulation_restored,
    simulator_report,
    wait_until_quiet,
)


def test_simulated_users_of_all_three_sites_reach_the_topic_within_60_s(running_simulation):
    consumer = consumer_at_end()

    def enough(msgs):
        events = [json.loads(m.value) for m in msgs]
        return {e["app_id"] for e in events} == set(SITES) and len(
            {e["user_id"] for e in events} & SIMULATED_USERS
        ) >= 25

    messages = drain(consumer, enough, timeout=60)
    consumer.close()
    events = [json.loads(m.value) for m in messages]
    assert {e["app_id"] for e in events} == set(SITES), [simulator_report(app) for app in SITES]
    assert len({e["user_id"] for e in events} & SIMULATED_USERS) >= 25
    for m, e in zip(messages, events, strict=True):
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
        r = requests.get(
            endpoints.url("shop", page), headers={"X-Lab-User": user, "X-Lab-Session": session}, timeout=30
        )
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
        r = requests.post(
            endpoints.url("shop", "/collect"), data=body, timeout=30, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == status, (name, r.text)
        assert r.json()["field"] == field, (name, r.json())
    assert counters("shop")["site"]["collect_rejects"] - before == len(cases)
    # A valid event with the same key goes last: once it is in the topic, anything sent before it is too.
    r = requests.post(endpoints.url("shop", "/collect"), json=good, timeout=30)
    assert r.status_code == 202, r.text
    messages = drain(consumer, lambda msgs: any(json.loads(m.value)["event_id"] == good["event_id"] for m in msgs))
    consumer.close()
    arrived = [json.loads(m.value) for m in messages if session.encode() in m.value]
    assert arrived == [good]


def page_views_over(app, seconds):
    """Samples the site's page_views counter every 0.2 s for `seconds`: [(monotonic time, count)]."""
    samples, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        samples.append((time.monotonic(), counters(app)["site"]["page_views"]))
        time.sleep(0.2)
    return samples


def test_pause_stops_the_simulated_users_within_2_s_and_resume_restarts_them(lab_env):
    """No page request starts more than 2 s after the pause: each page_view's event_time is its request's start, so
    a slow page (SITE_SLOW_RATE) or a busy machine stretching a request already under way does not count."""
    token = lab_env["LAB_ADMIN_TOKEN"]
    with simulation_restored(token, ["news"]):
        simulation("news", token, paused=False, speed=5.0)
        running = page_views_over("news", 4)  # measurement windows, not waits for readiness
        assert running[-1][1] > running[0][1], f"users not browsing before the pause: {simulator_report('news')}"
        start = end_offsets(names.TOPIC_EVENTS)
        assert simulation("news", token, paused=True)["paused"] is True
        paused_at = datetime.now(UTC)
        page_views_over("news", 7)
        started = [
            parse_event_time(e["event_time"])
            for e in (json.loads(r.value) for r in read_range(start, end_offsets(names.TOPIC_EVENTS)))
            if e["app_id"] == "news" and e["event_type"] == "page_view"
        ]
        late = sorted(
            round((t - paused_at).total_seconds(), 1) for t in started if t > paused_at + timedelta(seconds=2)
        )
        assert not late, f"page requests started this many seconds after the pause: {late}"
        assert simulation("news", token, paused=False)["paused"] is False
        resumed = page_views_over("news", 4)
        assert resumed[-1][1] > resumed[0][1], f"users not browsing again after resume: {simulator_report('news')}"


def test_users_setting_shrinks_the_simulation_to_the_first_n_users(lab_env):
    token = lab_env["LAB_ADMIN_TOKEN"]
    with simulation_restored(token, ["news"]):
        assert simulation("news", token, paused=False, users=3, speed=5.0)["users"] == 3
        wait_until_quiet_for_users("news", keep={"news-u01", "news-u02", "news-u03"})
        consumer = consumer_at_end()
        events = [json.loads(m.value) for m in drain(consumer, lambda msgs: False, timeout=15)]
        consumer.close()
        users = {e["user_id"] for e in events if e["app_id"] == "news"}
        assert users and users <= {"news-u01", "news-u02", "news-u03"}, users


def wait_until_quiet_for_users(app, keep, timeout=20):
    """Waits until users outside `keep` have stopped: none of them emits during a 3 s window."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        consumer = consumer_at_end()
        window = [json.loads(m.value) for m in drain(consumer, lambda msgs: False, timeout=3)]
        consumer.close()
        if not {e["user_id"] for e in window if e["app_id"] == app} - keep:
            return
    raise AssertionError(f"{app}: users beyond {sorted(keep)} still active {timeout} s after the change")
