"""`lab bench speed`: the speed layer's latency and throughput, prepended to docs/benchmarks.md.

Latency: each sample is one page request of a new page on a site (its page_view is produced when the request
is served); the time until that page's `c:views` reads 1 from HBase is the event's latency through Kafka, the
Storm topology and HBase, with the simulated users browsing at their configured load.

Throughput: with the simulated users paused, a backlog of synthetic v1 events (shop, pages `/bench/...`,
users `bench-uNN`) is written to `user-activity`; the topology's rate is backlog / time until its committed
offsets reach the end (every tuple tree acked). The same events are then read by a bare kafka-python ->
HappyBase loop doing the same HBase updates one event at a time, without replay protection, into rows under a
`bench-bare` prefix (deleted afterwards). The ratio of the two rates is reported. The bench events stay in the
counters of their `/bench/` pages and of the shop's minute_stats, like any other traffic.
"""

from __future__ import annotations

import datetime
import json
import statistics
import struct
import time
import uuid

import requests
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from activity_clients import endpoints
from activity_clients import hbase as lab_hbase
from activity_clients.checkout import read_env
from activity_contract import names
from activity_contract.events import build_event

from .bench import machine, write_report
from .sites import SITE_PORTS, counters, simulation, site_url
from .storm import spout_lag


def one_sample(conn, app: str, timeout: float = 30.0) -> float:
    page = f"/bench-speed-{uuid.uuid4().hex[:12]}"
    row = names.page_row(app, page)
    table = conn.table(names.T_PAGE_COUNTS)
    start = time.monotonic()
    requests.get(site_url(app) + page, timeout=30, headers={"X-Lab-User": "bench-speed"})
    served = time.monotonic()
    while time.monotonic() - start < timeout:
        if table.row(row, columns=[names.C_VIEWS]):
            return (time.monotonic() - served) * 1000
        time.sleep(0.005)
    raise RuntimeError(f"{app}{page}: not counted within {timeout} s (is the topology running? `lab storm status`)")


def _wait_caught_up(timeout=600) -> float:
    """Seconds until the spout's committed offsets reach the end of user-activity."""
    start = time.monotonic()
    while lag := sum(spout_lag().values()):
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"the topology did not catch up within {timeout} s (lag {lag})")
        time.sleep(0.1)
    return time.monotonic() - start


def bench_events(n: int) -> list[dict]:
    out = []
    for i in range(n):
        user = f"bench-u{i % 50:02d}"
        out.append(
            build_event(
                event_type="page_view" if i % 3 else "click",
                app_id=names.SHOP,
                user_id=user,
                session_id=f"{user}-s",
                page=f"/bench/{i % 200}",
                section="bench",
                http_status=500 if i % 100 == 0 else 200,
                latency_ms=20.0,
                country="DE",
                city="Berlin",
                device_type="desktop",
                os="Linux",
                browser="Firefox",
                user_agent="lab-bench",
            )
        )
    return out


def bare_loop(events: list[dict], start_offsets: dict) -> float:
    """A plain consumer doing the topology's HBase updates per event (no batching, no replay protection)."""
    conn = lab_hbase.connect()
    pages, minutes = conn.table(names.T_PAGE_COUNTS), conn.table(names.T_MINUTE_STATS)
    users, sessions, active = (
        conn.table(names.T_USER_RECENT_PAGES),
        conn.table(names.T_SESSIONS),
        conn.table(names.T_ACTIVE_USERS),
    )
    consumer = KafkaConsumer(bootstrap_servers=endpoints.kafka_bootstrap(), enable_auto_commit=False)
    consumer.assign(list(start_offsets))
    for tp, off in start_offsets.items():
        consumer.seek(tp, off)
    wanted, done = {e["event_id"] for e in events}, 0
    t0 = time.monotonic()
    while done < len(wanted):
        for records in consumer.poll(timeout_ms=500).values():
            for r in records:
                e = json.loads(r.value)
                if e["event_id"] not in wanted:
                    continue
                done += 1
                minute = b"bench-bare#" + names.minute_row(names.SHOP, datetime.datetime.now(datetime.UTC))
                minutes.counter_inc(minute, names.C_EVENTS)
                if e["event_type"] == "page_view":
                    pages.counter_inc(b"bench-bare#" + names.page_row(names.SHOP, e["page"]), names.C_VIEWS)
                    minutes.counter_inc(minute, names.C_PAGE_VIEWS)
                if e["http_status"] >= 500:
                    minutes.counter_inc(minute, names.C_ERRORS)
                user_row = f"bench-bare#{e['user_id']}".encode()
                recent = json.loads(
                    users.row(user_row, columns=[names.C_RECENT_PAGES]).get(names.C_RECENT_PAGES, b"[]")
                )
                users.put(user_row, {names.C_RECENT_PAGES: json.dumps(([e["page"]] + recent)[:20]).encode()})
                session_row = f"bench-bare#{e['session_id']}".encode()
                srow = sessions.row(session_row, columns=[names.C_SESSION_PAGES])
                pages_seen = struct.unpack(">q", srow[names.C_SESSION_PAGES])[0] if srow else 0
                sessions.put(
                    session_row,
                    {
                        names.C_SESSION_PAGES: struct.pack(">q", pages_seen + 1),
                        names.C_SESSION_CURRENT: e["page"].encode(),
                    },
                )
                active.put(b"bench-bare#shop", {f"{names.LAST_SEEN_FAMILY}:{e['user_id']}".encode(): b"1"})
    elapsed = time.monotonic() - t0
    consumer.close()
    for table in (pages, minutes, users, sessions, active):
        for key, _ in table.scan(row_prefix=b"bench-bare#", filter=b"KeyOnlyFilter()"):
            table.delete(key)
    conn.close()
    return elapsed


def bench_throughput(n: int) -> tuple[float, float]:
    """(topology events/s, bare loop events/s) over a backlog of n events."""
    token = read_env()["LAB_ADMIN_TOKEN"]
    found = {app: simulation(app, token) for app in SITE_PORTS}
    consumer = KafkaConsumer(bootstrap_servers=endpoints.kafka_bootstrap(), enable_auto_commit=False)
    parts = [TopicPartition(names.TOPIC_EVENTS, p) for p in consumer.partitions_for_topic(names.TOPIC_EVENTS)]
    try:
        for app in SITE_PORTS:
            simulation(app, token, paused=True)
        for app in SITE_PORTS:  # the sites' sinks drained: nothing but the backlog arrives from now on
            while (sink := counters(app)["sink"])["queued"] or sink["in_flight"]:
                time.sleep(0.2)
        print("  waiting for the topology to catch up before the backlog ...", flush=True)
        _wait_caught_up()
        events = bench_events(n)
        start_offsets = consumer.end_offsets(parts)
        # Timed from the first write to the last commit: the topology drains while the backlog is written.
        producer = KafkaProducer(
            bootstrap_servers=endpoints.kafka_bootstrap(), acks=1, linger_ms=20, batch_size=256 * 1024
        )
        t0 = time.monotonic()
        for e in events:
            producer.send(names.TOPIC_EVENTS, key=e["user_id"].encode(), value=json.dumps(e).encode())
        producer.flush()
        written = time.monotonic() - t0
        drained = written + _wait_caught_up()
        print(f"  topology: {n} events written in {written:.1f} s, all processed after {drained:.1f} s", flush=True)
        bare = bare_loop(events, start_offsets)
        print(f"  bare kafka-python -> HappyBase loop: {n} events in {bare:.1f} s", flush=True)
        return n / drained, n / bare
    finally:
        consumer.close()
        for app, state in found.items():
            simulation(app, token, paused=state["paused"], speed=state["speed"])


def bench_speed(samples: int = 200, events: int = 20000) -> int:
    """events=0: the latency only (the users keep browsing throughout)."""
    conn = lab_hbase.connect()
    apps = list(SITE_PORTS)
    latencies = []
    for i in range(samples):
        latencies.append(one_sample(conn, apps[i % len(apps)]))
        if (i + 1) % 20 == 0:
            print(f"  {i + 1}/{samples} samples, median so far {statistics.median(latencies):.0f} ms", flush=True)
        time.sleep(0.2)
    conn.close()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    p50, p95, p99 = statistics.median(latencies), q[94], q[98]
    print(
        f"event -> HBase counter: p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, max {max(latencies):.0f} ms "
        f"({samples} samples)"
    )
    lines = [
        f"- event -> HBase counter over {samples} samples: p50 **{p50:.0f} ms**, p95 **{p95:.0f} ms**, "
        f"p99 **{p99:.0f} ms**, max **{max(latencies):.0f} ms**"
    ]
    if events:
        storm_rate, bare_rate = bench_throughput(events)
        print(
            f"throughput: topology {storm_rate:.0f} events/s, bare loop {bare_rate:.0f} events/s, "
            f"ratio {storm_rate / bare_rate:.2f}"
        )
        lines.append(
            f"- throughput over a backlog of {events} events: topology **{storm_rate:.0f} events/s** (written "
            f"to all acked and committed), bare kafka-python -> HappyBase loop **{bare_rate:.0f} events/s** "
            f"(the same updates one event at a time, no replay protection): ratio "
            f"**{storm_rate / bare_rate:.2f}**"
        )
    write_report(
        [
            f"## Speed layer latency{' and throughput' if events else ''}, {datetime.date.today()} ({machine()})",
            "",
            f"Measured with `lab bench speed{' --events 0' if not events else ''}`: a page request to a new page, then "
            "HBase polled until that page's",
            "`c:views` is 1 (time from the response; the simulated users browsing at their configured load).",
            "",
            *lines,
            "",
        ]
    )
    return 0
