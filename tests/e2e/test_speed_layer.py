"""The speed layer (Storm topology -> HBase): exact counters, user state and sessions, alerts, the DLQ.

Runs against the lab's real Nimbus, Supervisor, Kafka and HBase; events come from the real sites or straight
from Kafka. Counters are compared after the topology has caught up (its committed offsets reach the end of
the topic), so "exactly N" is checked, not "at least N".
"""

import json
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import requests
from conftest import exec_in
from kafka import KafkaProducer

from activity_clients import endpoints
from activity_clients.nimbus import topology_summary
from activity_contract import names
from activity_contract.events import build_event, parse_event_time
from lab_sites import consumer_at_end, drain, wait_until_quiet
from lab_speed import (
    WORKER_PROCESS,
    counter,
    hbase,
    last_seen,
    recent_pages,
    session_state,
    site_row_after,
    speed_settled,
)

SHOP = endpoints.url("shop")


def visit(path, user, session, fault=None):
    headers = {"X-Lab-User": user, "X-Lab-Session": session, "X-Lab-Fault": fault or "none"}
    return requests.get(SHOP + path, headers=headers, timeout=30).status_code


def events_of(consumer, predicate, count, timeout=60):
    def mine(msgs):
        return [e for e in (json.loads(m.value) for m in msgs) if predicate(e)]

    return mine(drain(consumer, lambda msgs: len(mine(msgs)) >= count, timeout=timeout))


def wait_for(check, timeout, what):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def test_n_requests_raise_page_counts_minute_stats_and_active_users_exactly(paused_simulation):
    wait_until_quiet("shop")
    speed_settled()
    conn = hbase()
    run = uuid.uuid4().hex[:8]
    users = [f"e2e-speed-{run}-a", f"e2e-speed-{run}-b"]
    new_page, known_page = f"/e2e-speed-{run}", "/cart"
    now = datetime.now(UTC)
    minutes = [names.minute_row("shop", datetime.fromtimestamp(now.timestamp() + 60 * k, tz=UTC)) for k in range(-1, 4)]
    cols = (names.C_EVENTS, names.C_PAGE_VIEWS, names.C_ERRORS)
    before_minutes = {m: {c: counter(conn, names.T_MINUTE_STATS, m, c) for c in cols} for m in minutes}
    before_known = counter(conn, names.T_PAGE_COUNTS, names.page_row("shop", known_page), names.C_VIEWS)
    consumer = consumer_at_end()

    plan = [(new_page, None)] * 7 + [(known_page, None)] * 5 + [(known_page, "error")] * 3
    statuses = [visit(path, users[i % 2], f"{users[i % 2]}-s", fault) for i, (path, fault) in enumerate(plan)]
    sent_at = time.monotonic()
    assert statuses.count(500) == 3 and statuses.count(404) == 7

    # Within 5 s of the last request, the new page's counter shows all 7 views.
    wait_for(
        lambda: counter(conn, names.T_PAGE_COUNTS, names.page_row("shop", new_page), names.C_VIEWS) == 7,
        5 - (time.monotonic() - sent_at),
        "page_counts of the new page at 7",
    )
    events = events_of(consumer, lambda e: e["user_id"] in users, len(plan))
    consumer.close()
    speed_settled()
    assert counter(conn, names.T_PAGE_COUNTS, names.page_row("shop", new_page), names.C_VIEWS) == 7
    assert counter(conn, names.T_PAGE_COUNTS, names.page_row("shop", known_page), names.C_VIEWS) == before_known + 8

    per_minute = Counter(names.minute_row("shop", parse_event_time(e["event_time"])) for e in events)
    errors_per_minute = Counter(
        names.minute_row("shop", parse_event_time(e["event_time"])) for e in events if e["http_status"] >= 500
    )
    assert set(per_minute) <= set(minutes)
    for m in minutes:
        after = {c: counter(conn, names.T_MINUTE_STATS, m, c) for c in cols}
        assert after[names.C_EVENTS] - before_minutes[m][names.C_EVENTS] == per_minute[m], m
        assert after[names.C_PAGE_VIEWS] - before_minutes[m][names.C_PAGE_VIEWS] == per_minute[m], m
        assert after[names.C_ERRORS] - before_minutes[m][names.C_ERRORS] == errors_per_minute[m], m

    # Active users: the test's users with their last event time, and c:active_5m = users seen in the 5 minutes
    # before c:updated_at (read together once the next recount has happened).
    seen = last_seen(conn, "shop")
    for u in users:
        assert seen[u] == max(
            int(parse_event_time(e["event_time"]).timestamp() * 1000) for e in events if e["user_id"] == u
        )
    row = site_row_after(conn, "shop", names.C_UPDATED_AT, time.time() * 1000)  # a recount after the events
    at_ms = int(parse_event_time(row[names.C_UPDATED_AT].decode()).timestamp() * 1000)
    seen = last_seen(conn, "shop")
    active_5m = names.decode_counter(row[names.C_ACTIVE_5M])
    assert active_5m == sum(1 for ms in seen.values() if ms >= at_ms - 300_000) >= 2
    assert names.decode_counter(row[names.C_ACTIVE_30M]) >= active_5m
    conn.close()


def test_recent_pages_and_sessions_follow_a_visitor_through_a_logout(paused_simulation):
    wait_until_quiet("shop")
    browser = requests.Session()  # a cookie-keeping visitor: the site assigns user and session ids
    first = ["/", "/catalog", "/product/3", "/cart", "/login", "/account", "/logout"]
    second = ["/", "/product/4"]
    for path in first:
        browser.get(SHOP + path, timeout=30)
    user, sid1 = browser.cookies.get("lab_uid"), None
    for path in second:
        browser.get(SHOP + path, timeout=30)
    sid2 = browser.cookies.get("lab_sid")
    speed_settled()
    conn = hbase()
    pages = recent_pages(conn, user)
    assert [p["page"] for p in pages] == list(reversed(first + second))
    assert all(p["app_id"] == "shop" for p in pages)
    state = session_state(conn, user)
    assert state["key"] == sid2 and state["ended"] == ""
    sessions = conn.table(names.T_SESSIONS)
    rows = {k.decode(): v for k, v in sessions.rows([s.encode() for s in {sid2}])}
    live = rows[sid2]
    assert live[names.C_SESSION_ENTRY] == b"/" and live[names.C_SESSION_CURRENT] == b"/product/4"
    assert names.decode_counter(live[names.C_SESSION_PAGES]) == 2
    assert live[names.C_SESSION_ENDED] == b""
    # The first session: the one whose current (exit) page is /logout, of this user.
    ended = [
        v
        for k, v in sessions.scan(filter=f"SingleColumnValueFilter('c', 'user_id', =, 'binary:{user}')")
        if k.decode() != sid2
    ]
    assert len(ended) == 1, ended
    sid1 = ended[0]
    assert sid1[names.C_SESSION_ENTRY] == b"/" and sid1[names.C_SESSION_CURRENT] == b"/logout"
    assert names.decode_counter(sid1[names.C_SESSION_PAGES]) == len(first)
    assert sid1[names.C_SESSION_ENDED] == b"logout"
    conn.close()


def worker_pid():
    return exec_in("supervisor", "pgrep", "-f", WORKER_PROCESS).stdout.split()


def test_malformed_messages_reach_the_dlq_with_reasons_and_counting_goes_on():
    topology = topology_summary()
    assert topology is not None and topology["status"] == "ACTIVE", topology
    pid = worker_pid()
    assert len(pid) == 1, pid
    run = uuid.uuid4().hex[:8]
    page = f"/e2e-dlq-{run}"
    dlq = consumer_at_end(names.TOPIC_DLQ)
    producer = KafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap(), acks="all")
    good = [
        build_event(
            event_type="page_view",
            app_id="news",
            user_id=f"e2e-dlq-{run}",
            session_id=f"s-{run}",
            page=page,
            section="e2e",
            http_status=200,
            latency_ms=12.5,
            country="FR",
            city="Lyon",
            device_type="desktop",
            os="Linux",
            browser="Firefox",
            user_agent="e2e",
        )
        for _ in range(10)
    ]
    bad = []
    for i in range(50):
        kind = i % 5
        if kind == 0:
            bad.append((f"not json {run} {i}".encode(), "$: body is not valid JSON"))
        elif kind == 1:
            e = dict(good[0], event_id=str(uuid.uuid4()), target=f"{run}-{i}")
            del e["event_time"]
            bad.append((json.dumps(e).encode(), "event_time: required field is missing"))
        elif kind == 2:
            e = dict(good[0], event_id=str(uuid.uuid4()), target=f"{run}-{i}", http_status="ok")
            bad.append((json.dumps(e).encode(), "http_status:"))
        elif kind == 3:
            bad.append((f'{{"run": "{run}-{i}", "x": "\xff"}}'.encode("latin-1"), "$: message is not valid UTF-8"))
        else:
            e = dict(good[0], event_id=str(uuid.uuid4()), target=f"{run}-{i}", app_id="nope")
            bad.append((json.dumps(e).encode(), "app_id:"))
    for i, (value, _) in enumerate(bad):
        producer.send(names.TOPIC_EVENTS, value=value, key=b"e2e-dlq")
        if i % 5 == 0:
            producer.send(names.TOPIC_EVENTS, value=json.dumps(good[i // 5]).encode(), key=b"e2e-dlq")
    producer.flush()
    producer.close()

    records = [
        json.loads(m.value)
        for m in drain(dlq, lambda msgs: sum(run.encode() in m.value for m in msgs) >= 50, timeout=60)
    ]
    dlq.close()
    mine = [r for r in records if run in r["raw"]]
    assert len(mine) == 50
    by_raw = {r["raw"]: r["error"] for r in mine}
    for value, reason in bad:
        raw = value.decode("utf-8", errors="replace")
        assert raw in by_raw, raw
        assert reason in by_raw[raw], (by_raw[raw], reason)
    conn = hbase()
    wait_for(
        lambda: counter(conn, names.T_PAGE_COUNTS, names.page_row("news", page), names.C_VIEWS) == 10,
        30,
        "the valid events between the malformed ones counted",
    )
    conn.close()
    after = topology_summary()
    assert after["id"] == topology["id"]
    assert after["worker_uptime_s"] >= topology["worker_uptime_s"], "the worker was restarted"
    assert worker_pid() == pid, "the worker was restarted"
