"""The daily batch DAG `activity_daily_batch`, run through Airflow's REST API for a day only this test writes to (first
by Airflow's own backfill, `lab batch backfill`, of that day and the day before, which has no data and skips its
tasks; then again by `lab batch run`, the day's run cleared): a generated day of ~1 200 events of 30 users (sessions,
paths, the shop's funnel, errors, six places) sent to Kafka, archived by the streaming job, then turned into the
daily Hive tables by the DAG's Spark ETL on YARN; the day's page views as access lines (one log format per site)
replayed through Flume into /logs, normalized by the DAG's Pig step.

Every table equals what tests/batch_oracle.py computes in plain Python from the events read back from Kafka; Hive
`access_logs` holds every access line of the day once, each row equal field by field to the line as the lab's parser
(activitylab/clf.py) reads it, and the one line that is no access line is in `rejected_access_lines`; Hive
`user_profiles` (the run's Sqoop import) equals MariaDB's; Hive's own aggregates by plan and by country of signup
(profile_activity_daily: the events joined to the profiles the test gives 7 of each site's 10 users) equal the test's
computation; the Mahout step gives every active user recommendations (catalog items of their site they did not
choose, Mahout's first, popular ones after, as many as the site has left up to 5) and one of 3 k-means segments (the
test's features; each user nearest their own segment's centre), and on a held-out split its precision@5 is at least a
most-popular baseline's (which the test computes itself); MariaDB's `page_stats_daily`, `sessions_daily` and
`shop_funnel_daily` (the Sqoop export) equals Hive's; `speed_batch_drift` (written by the data-quality task) holds
the test's own counts on both sides (page views per page, events per minute, active users per site: the speed layer
counted every event), but for the one page whose day counter the test deleted from HBase before the run: batch minus
speed is its views, with the reason; the dashboard's history page, in headless chromium, shows the day's busiest page
with the views Hive holds and that gap. The test then changes three profiles through the sites' account pages
(MariaDB changes) and runs the day again (`lab batch run`'s path) with a copy of one of its archive files in place:
the import takes exactly those three changes, the tables (Hive's and the exported ones) come out identical, with no
duplicate rows, and the data-quality task fails the run, naming the mismatch and the file.
"""

import csv
import json
import math
import random
import re
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from conftest import lab
from kafka import KafkaProducer

import batch_oracle as oracle
from activity_clients import endpoints
from activity_clients.airflow import Airflow
from activity_contract import names
from activity_contract.names import DAG_DAILY_BATCH as DAILY_BATCH
from activitylab import flume, webhdfs
from activitylab.clf import PATTERNS, parse_line
from activitylab.replay import LOG_ROOT, replay, wait_shipped
from activitylab.sites import site_url
from activitylab.topic_reader import end_offsets, read_range
from lab_archive import hive_rows, wait_for
from lab_browser import chromium, keep_screenshot
from lab_logs import access_line, in_flume, wait_all_closed
from lab_mariadb import mariadb, profiles
from lab_speed import hbase
from producers.simulator.generated_day import generate_day
from speed_drift import MISSED

ROOT = Path(__file__).resolve().parents[2]
RUN = uuid.uuid4().hex[:8]
# What the generated users do is the same every run (their ids, the day and the prefix are new): Mahout's
# recommendations and the held-out evaluation are then the same too, so precision@5 against the most-popular baseline
# is a fixed comparison, not a draw that item-based recommendations on 30 users lose now and then.
BEHAVIOUR_SEED = 20250101
# A day of 2025 nothing else writes to (the lab's users write today and recent days).
DAY = date(2025, 1, 1) + timedelta(days=random.Random(RUN).randrange(330))
DS = DAY.isoformat()
LOGICAL_DATE = datetime.combine(DAY, datetime.min.time(), UTC)

# table -> (key columns, value columns, the oracle's rows keyed alike)
TABLES = {
    "page_stats_daily": (
        ("app_id", "page"),
        ("views", "unique_users", "avg_latency_ms", "p95_latency_ms", "errors", "entries", "exits"),
        oracle.page_stats,
    ),
    "section_engagement_daily": (
        ("app_id", "section"),
        ("events", "page_views", "unique_users", "avg_time_on_page_s"),
        oracle.section_engagement,
    ),
    "navigation_paths_daily": (("app_id", "from_page", "to_page"), ("transitions",), oracle.navigation_paths),
    "geo_traffic_daily": (("app_id", "country", "city"), ("events", "page_views", "unique_users"), oracle.geo_traffic),
    "sessions_daily": (
        ("app_id",),
        ("sessions", "bounce_rate", "avg_duration_s", "pages_per_session", "top_entry_page", "top_exit_page"),
        oracle.session_summary,
    ),
    "shop_funnel_daily": (("step",), ("sessions",), oracle.funnel),
}
# Hive's own aggregate of the events joined to user_profiles (DAG task hive_aggregates)
PROFILE_KEYS = ("app_id", "plan", "signup_country")
PROFILE_VALUES = ("active_users", "events", "page_views", "purchases", "buyers", "errors", "events_abroad")


def hive_table(table, keys=None, values=None):
    """{key: {column: value}} of the table's rows for the day, and the number of rows (to catch repeated keys);
    keys and values: those of TABLES unless given."""
    if keys is None:
        keys, values, _ = TABLES[table]
    return keyed(hive_rows(f"SELECT {', '.join(keys + values)} FROM {table} WHERE dt = '{DS}'"), keys, values)


def keyed(rows, keys, values):
    """({key: {column: value}}, number of rows) of rows selected as keys + values; a one-column key is bare."""
    out = {
        (r[0] if len(keys) == 1 else tuple(r[: len(keys)])): dict(zip(values, r[len(keys) :], strict=True))
        for r in rows
    }
    return out, len(rows)


def expected_table(table, events):
    keys, values, compute = TABLES[table]
    rows = compute(events)  # {key: {column: value}}, or {key: count} for a table of one value column
    return {
        k: {c: v for c, v in row.items() if c in values} if isinstance(row, dict) else {values[0]: row}
        for k, row in rows.items()
    }


def assert_equal_tables(table, got, want):
    assert set(got) == set(want), (
        f"{table}: keys differ: only in Hive {sorted(set(got) - set(want))[:5]}, "
        f"only in the test's computation {sorted(set(want) - set(got))[:5]}"
    )
    for key, row in want.items():
        for column, value in row.items():
            if isinstance(value, float):  # to float precision (the acceptance asks latencies within 1 ms)
                assert got[key][column] == pytest.approx(value, rel=1e-9, abs=1e-6), (table, key, column)
            else:
                assert got[key][column] == value, (table, key, column, got[key][column], value)


def hive_profiles():
    """Hive `user_profiles` in the shape of lab_mariadb.profiles() (PyHive gives DATE as text, TIMESTAMP as a
    datetime), and its number of rows (one per user)."""
    rows = hive_rows(
        "SELECT user_id, full_name, email, signup_date, plan, country, age_band, marketing_opt_in, "
        "updated_at FROM user_profiles"
    )
    return {r[0]: tuple(r[1:3]) + (date.fromisoformat(r[3]),) + tuple(r[4:9]) for r in rows}, len(rows)


def assert_profiles_imported():
    hive, rows = hive_profiles()
    want = profiles()
    assert rows == len(hive), f"user_profiles: {rows} rows for {len(hive)} users"
    assert set(hive) == set(want), sorted(set(hive) ^ set(want))[:5]
    differ = {u: (hive[u], want[u]) for u in want if hive[u] != want[u]}
    assert not differ, f"{len(differ)} profiles differ (Hive, MariaDB): {list(differ.items())[:3]}"
    return want


def mariadb_exported():
    """MariaDB's rows of the day (the DAG's Sqoop export) of every exported table, keyed like hive_table(table)."""
    got = {}
    with mariadb() as db, db.cursor() as cur:
        for table in names.EXPORTED_KPI_TABLES:
            keys, values, _ = TABLES[table]
            cur.execute(f"SELECT {', '.join(keys + values)} FROM {table} WHERE dt = %s", (DS,))
            got[table] = keyed(cur.fetchall(), keys, values)
    return got


def add_profiles(events):
    """Profiles in MariaDB for 7 of each site's 10 users of the day (the other 3 count as 'unknown'), plan and
    signup country drawn (some sign up elsewhere than where they browse from), as the sites' signup would."""
    rng = random.Random(RUN)
    users = sorted({(e["app_id"], e["user_id"]) for e in events})
    chosen = [u for app in LOG_FORMATS for u in [u for a, u in users if a == app][:7]]
    with mariadb() as db, db.cursor() as cur:
        for user in chosen:
            cur.execute(
                "INSERT INTO user_profiles (user_id, full_name, email, signup_date, plan, country, age_band, "
                "marketing_opt_in, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, NOW(6))",
                (
                    user,
                    f"Test {user}",
                    f"{user}@example.com",
                    DAY - timedelta(days=rng.randrange(400)),
                    rng.choice(("free", "plus", "pro")),
                    rng.choice(("DE", "FR", "US", "IN", "ES")),
                    rng.choice(("18-24", "25-34", "35-44")),
                    rng.random() < 0.5,
                ),
            )
    return chosen


def assert_profile_activity(events):
    """profile_activity_daily equals the test's computation with the profiles as MariaDB holds them (and Hive's
    import, checked by assert_profiles_imported)."""
    current = {u: {"plan": p[3], "country": p[4]} for u, p in profiles().items()}
    got, rows = hive_table("profile_activity_daily", PROFILE_KEYS, PROFILE_VALUES)
    assert rows == len(got), f"profile_activity_daily: {rows} rows for {len(got)} keys"
    assert_equal_tables("profile_activity_daily", got, oracle.profile_activity(events, current))
    return got


def change_profiles(users):
    """Each user saves their account page (a POST over HTTP to the site, which writes MariaDB as user `site`) with
    a new plan and the newsletter box flipped: the page shows the change, MariaDB holds it with updated_at now."""
    before = profiles()
    want = {u: ("free" if before[u][3] == "pro" else "pro", not before[u][6]) for u in users}  # (plan, opt-in)
    for user, (plan, opt_in) in want.items():
        app = user.split("-")[0] if user.split("-")[0] in names.APPS else "shop"  # members use the shop
        form = {"plan": plan, **({"marketing_opt_in": "on"} if opt_in else {})}
        page = requests.post(
            f"{site_url(app)}/account",
            data=form,
            timeout=30,
            headers={"X-Lab-User": user, "X-Lab-Session": f"e2e{RUN}-account", "X-Lab-Fault": "none"},
        )
        assert page.status_code == 200 and "Saved." in page.text, (user, page.status_code, page.text[:500])
        assert f'data-plan="{plan}" data-opt-in="{"yes" if opt_in else "no"}"' in page.text, page.text[:1000]
    after = profiles()
    for user in users:
        assert (after[user][3], after[user][6]) == want[user]
        assert after[user][7] > before[user][7], (user, before[user][7], after[user][7])
    assert {u for u in after if after[u] != before[u]} == set(users)


def send_day(events):
    """Sends the events keyed by user (as the sites do) and reads back from Kafka what the topic then holds of
    them: the raw events the test computes its answers from."""
    before = end_offsets(names.TOPIC_EVENTS)
    producer = KafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap(), acks="all", linger_ms=20)
    for e in events:
        producer.send(names.TOPIC_EVENTS, key=e["user_id"].encode(), value=json.dumps(e).encode())
    producer.flush(60)
    producer.close()
    records = read_range(before, end_offsets(names.TOPIC_EVENTS))
    ours = {e["event_id"] for e in events}
    back = [json.loads(r.value) for r in records if r.key and r.key.decode().startswith(f"e2e{RUN}-")]
    assert {e["event_id"] for e in back} == ours
    return back


LOG_FORMATS = {"shop": "combined", "news": "common", "learn": "vcombined"}  # one per site: Pig reads them all
ACCESS_COLUMNS = (
    "app_id",
    "vhost",
    "host",
    "ident",
    "authuser",
    "request_time",
    "method",
    "path",
    "protocol",
    "request",
    "status",
    "bytes",
    "referrer",
    "agent",
    "extras",
)


def ship_access_logs(events, folder):
    """The day's page views as access lines, replayed into each site's log (`lab replay`) and shipped by Flume to
    /logs/APP/access/dt=DS; and one line with the day's time that is no access line (no size), written into the news
    site's log folder as a server would: Flume files it under the day, Pig must reject it. Returns {app: lines} and
    that line; Flume closes the files a minute later (wait_access_logs_closed)."""
    rng = random.Random(RUN)
    lines = {
        app: [access_line(e, fmt, rng) for e in events if e["app_id"] == app and e["event_type"] == "page_view"]
        for app, fmt in LOG_FORMATS.items()
    }
    for app, fmt in LOG_FORMATS.items():
        source = folder / f"{app}-access.log"
        source.write_text("\n".join(lines[app]) + "\n", encoding="latin-1")
        report = replay(app, fmt, source, out=lambda *_: None)
        assert (report.replayed, report.unparseable) == (len(lines[app]), []), (app, report.unparseable[:3])
    bad = f'203.0.113.1 - - [{DAY.strftime("%d/%b/%Y")}:12:00:00 +0000] "GET /e2e{RUN} HTTP/1.1" 200'
    target = f"{LOG_ROOT}/news/access-e2e{RUN}.log"
    in_flume("sh", "-c", f"printf '%s\\n' '{bad}' > {target}")
    wait_shipped(flume.container(), target, 120, out=lambda *_: None)
    in_flume("rm", "-f", target)
    return lines, bad


def wait_access_logs_closed(lines):
    for app in LOG_FORMATS:
        wait_all_closed(app, "access", DS, len(lines[app]) + (app == "news"))


def expected_access_row(app, line):
    """What `access_logs` holds for a line: the fields clf.py reads, the time in UTC."""
    fmt = LOG_FORMATS[app]
    p, fields = parse_line(line, fmt), PATTERNS[fmt].match(line).groupdict()
    return (
        app,
        p.vhost,
        p.host,
        fields["ident"],
        fields["user"],
        p.time.astimezone(UTC).replace(tzinfo=None),
        p.method,
        p.path,
        p.protocol,
        p.request,
        p.status,
        p.size,
        p.referer,
        p.agent,
        " ".join(p.extras) or None,
    )


def assert_access_logs(lines, bad):
    rows = hive_rows(f"SELECT {', '.join(ACCESS_COLUMNS)} FROM access_logs WHERE dt = '{DS}'")
    got = Counter(
        tuple(
            datetime.fromisoformat(v) if c == "request_time" and isinstance(v, str) else v
            for c, v in zip(ACCESS_COLUMNS, r, strict=True)
        )
        for r in rows
    )
    want = Counter(expected_access_row(app, line) for app, app_lines in lines.items() for line in app_lines)
    assert sum(got.values()) == sum(want.values()), (
        f"access_logs: {sum(got.values())} rows for {sum(want.values())} lines"
    )
    assert got == want, (
        f"access_logs rows that are no line: {list((got - want).items())[:2]}, "
        f"lines without their row: {list((want - got).items())[:2]}"
    )
    rejected = [tuple(r) for r in hive_rows(f"SELECT line, reason FROM rejected_access_lines WHERE dt = '{DS}'")]
    assert rejected == [
        (bad, "not an access line of the Common Log Format family (common, combined, vcommon, vcombined)")
    ], rejected


def assert_access_logs_reconciled(log, lines):
    n = sum(len(app_lines) for app_lines in lines.values()) + 1
    assert re.search(rf"access_logs\s+expected\s+{n}\s+actual\s+{n}\s+ok\s+1 line\(s\) rejected", log), log[-3000:]


def assert_traced_into_the_days_tables(events, pages):
    """`lab trace` of one of the day's page views: archived, in Hive `events`, and counted in its page's row of
    page_stats_daily (the views the table holds)."""
    event = next(e for e in events if e["event_type"] == "page_view")
    run = lab("trace", event["event_id"], "--json")
    assert run.returncode == 0, run.stderr
    hops = {h["name"]: h for h in json.loads(run.stdout)["hops"]}
    assert {n: hops[n]["state"] for n in ("archive (Parquet)", "Hive events", "page_stats_daily")} == dict.fromkeys(
        ("archive (Parquet)", "Hive events", "page_stats_daily"), "there"
    ), hops
    assert hops["page_stats_daily"]["facts"]["views"] == pages[(event["app_id"], event["page"])]["views"]


def saved_query(name):
    """`lab hive run NAME --hivevar day=DS` (hive/queries/NAME.sql), as CSV rows."""
    run = subprocess.run(
        [sys.executable, "-m", "activitylab.cli", "hive", "run", name, "--hivevar", f"day={DS}", "--outputformat=csv2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return list(csv.reader(line for line in run.stdout.splitlines() if line.strip()))


def assert_page_hits_query(pages):
    """The saved per-page hits and average latency query: the day's 25 busiest pages as page_stats_daily holds them."""
    rows = saved_query("page-hits")
    assert rows[0] == ["app_id", "page", "hits", "unique_users", "avg_latency_ms", "p95_latency_ms", "errors"], rows[0]
    busiest = sorted(pages.items(), key=lambda kv: (-kv[1]["views"], kv[0]))[:25]
    assert [(r[0], r[1], int(r[2]), int(r[3]), int(r[6])) for r in rows[1:]] == [
        (app, page, s["views"], s["unique_users"], s["errors"]) for (app, page), s in busiest
    ]
    for r, (_, s) in zip(rows[1:], busiest, strict=True):  # latencies rounded to 0.1 ms
        assert (
            abs(float(r[4]) - s["avg_latency_ms"]) <= 0.05 + 1e-9
            and abs(float(r[5]) - s["p95_latency_ms"]) <= 0.05 + 1e-9
        ), (r, s)


def assert_plan_view(by_profile):
    """The view activity_by_plan_daily: profile_activity_daily summed per site and plan over the countries of
    signup."""
    columns = ("active_users", "events", "page_views", "purchases", "buyers", "errors")
    rows = hive_rows(f"SELECT app_id, plan, {', '.join(columns)} FROM activity_by_plan_daily WHERE dt = '{DS}'")
    want = defaultdict(Counter)
    for (app, plan, _), r in by_profile.items():
        want[(app, plan)].update({c: r[c] for c in columns})
    assert {(r[0], r[1]): tuple(r[2:]) for r in rows} == {k: tuple(v[c] for c in columns) for k, v in want.items()}


NEVER_BUILT = "2001-01-01"  # before any day the tests or the nightly runs build


def speed_day_views(conn) -> dict[tuple[str, str], int]:
    column = names.day_views_column(DAY)
    return {
        tuple(row.decode().split("#", 1)): names.decode_counter(cells[column])
        for row, cells in conn.table(names.T_PAGE_COUNTS).scan(columns=[column])
    }


def make_speed_gap(events) -> tuple[str, str]:
    """Waits until the speed layer holds the day's page views of every page as the test counts them, then deletes
    the busiest page's counter of the day (as if the speed layer had missed them): a gap the drift must show."""
    views = Counter((e["app_id"], e["page"]) for e in events if e["event_type"] == "page_view")
    conn = hbase()
    try:
        wait_for(
            f"the speed layer's page views of {DS}, page by page, equal to the test's",
            lambda: speed_day_views(conn) == dict(views),
            timeout=300,
        )
        gap = min(views, key=lambda k: (-views[k], k))
        conn.table(names.T_PAGE_COUNTS).delete(names.page_row(*gap), columns=[names.day_views_column(DAY)])
    finally:
        conn.close()
    return gap


def hive_drift():
    rows = hive_rows(f"SELECT app_id, kpi, item, batch, speed, drift, reason FROM speed_batch_drift WHERE dt = '{DS}'")
    assert len(rows) == len({tuple(r[:3]) for r in rows}), "speed_batch_drift: more than one row for a key"
    return {tuple(r[:3]): tuple(r[3:]) for r in rows}


def assert_drift(events, gap):
    """speed_batch_drift = the test's own counts of its events on both sides (the speed layer counted them all),
    but for the page whose day counter the test deleted: batch minus speed = its views, with the reason."""
    counts = Counter((e["app_id"], "page_views", e["page"]) for e in events if e["event_type"] == "page_view")
    counts.update((e["app_id"], "events", e["event_time"][11:16]) for e in events)
    users = defaultdict(set)
    for e in events:
        users[e["app_id"]].add(e["user_id"])
    counts.update({(app, "active_users", ""): len(u) for app, u in users.items()})
    expected = {k: (n, n, 0, "") for k, n in counts.items()}
    gap_key = (gap[0], "page_views", gap[1])
    expected[gap_key] = (counts[gap_key], 0, counts[gap_key], MISSED)
    got = hive_drift()
    assert got == expected, {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v}
    return got


def assert_history_page(pages, drift):
    """The dashboard's history page for the day, in headless chromium: its busiest page is the one page_stats_daily
    holds, with Hive's views; the drift panel names the one gap; a day no batch run has built says so."""
    (app, page), stats = min(pages.items(), key=lambda kv: (-kv[1]["views"], kv[0]))
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1500, "height": 3000})
        tab.goto(f"{endpoints.url('dashboard')}/history?day={DS}")
        top = tab.locator('[data-testid="history-top-page"]')
        top.wait_for(timeout=120_000)
        keep_screenshot(tab, "history-page")
        shown = (top.get_attribute("data-app"), top.get_attribute("data-page"), top.get_attribute("data-views"))
        assert shown == (app, page, str(stats["views"])), (shown, app, page, stats)
        (gap_app, kpi, item), (_, _, gap, _) = next((k, v) for k, v in drift.items() if v[2])
        marker = tab.locator('[data-testid="history-drift"]')
        shown = tuple(marker.get_attribute(a) for a in ("data-gaps", "data-app", "data-kpi", "data-item", "data-drift"))
        assert shown == ("1", gap_app, kpi, item, str(gap)), shown
        tab.goto(f"{endpoints.url('dashboard')}/history?day={NEVER_BUILT}")
        tab.get_by_text(f"No batch run for {NEVER_BUILT} yet.").wait_for(timeout=60_000)


RECOMMENDATION_COLUMNS = ("app_id", "user_id", "rank", "page", "score", "source")
SEGMENT_FEATURES = names.SEGMENT_FEATURES


def hive_recommendations():
    rows = hive_rows(f"SELECT {', '.join(RECOMMENDATION_COLUMNS)} FROM recommendations WHERE dt = '{DS}'")
    return sorted(tuple(r) for r in rows)


def assert_recommendations(events):
    """Every user active that day gets min(5, items of the site they did not choose) recommendations, ranked 1..n:
    catalog items of their own site, none they viewed, carted or bought that day; Mahout's first (with a score),
    then the site's most popular ones (by users who chose them, then page), without a score."""
    rows = hive_recommendations()
    chosen = oracle.preferences(events)
    active = oracle.user_features(events)
    popularity = Counter((app, page) for (app, _), pages in chosen.items() for page in pages)
    items = defaultdict(list)  # site -> its items, the most popular first
    for (app, page), _ in sorted(popularity.items(), key=lambda kv: (-kv[1], kv[0][1])):
        items[app].append(page)
    by_user = defaultdict(list)
    for r in rows:
        by_user[(r[0], r[1])].append(r[2:])
    assert set(by_user) == set(active), f"users without recommendations: {sorted(set(active) - set(by_user))[:5]}"
    for (app, user), recs in by_user.items():
        seen = set(chosen.get((app, user), {}))
        unseen = [p for p in items[app] if p not in seen]
        assert [r[0] for r in recs] == list(range(1, min(5, len(unseen)) + 1)), (user, recs)
        assert {r[1] for r in recs} <= set(unseen), (user, recs, seen)
        sources = [r[3] for r in recs]
        assert sources == sorted(sources), (user, recs)  # 'mahout' ones before 'popular' ones
        assert all((r[2] is None) == (r[3] == "popular") for r in recs), (user, recs)
        popular = [r[1] for r in recs if r[3] == "popular"]
        mahout = {r[1] for r in recs if r[3] == "mahout"}
        assert popular == [p for p in unseen if p not in mahout][: len(popular)], (user, recs)
    by_mahout = sum(r[5] == "mahout" for r in rows)
    assert by_mahout > len(rows) / 2, f"only {by_mahout} of {len(rows)} recommendations by Mahout"
    return rows


def assert_recommendation_quality(events):
    """recommendation_quality: the held-out split the test computes itself (users, items), the most-popular
    baseline's precision@5 computed by the test, and the recommendations' own at least as high (both printed)."""
    train, held = oracle.held_out_split(events)
    popularity = Counter((app, page) for (app, _), pages in train.items() for page in pages)
    hits = []
    for (app, user), out in held.items():
        ranked = sorted(
            (p for (a, p) in popularity if a == app and p not in train[(app, user)]),
            key=lambda p: (-popularity[(app, p)], p),
        )
        hits.append(len(set(ranked[:5]) & out) / 5)
    rows = hive_rows(
        "SELECT users_evaluated, held_out_items, precision_at_5, popular_precision_at_5 "
        f"FROM recommendation_quality WHERE dt = '{DS}'"
    )
    assert len(rows) == 1, rows
    users, items, precision, popular = rows[0]
    assert (users, items) == (len(held), sum(map(len, held.values()))) and users >= 20, (rows, len(held))
    assert popular == pytest.approx(sum(hits) / len(hits), abs=1e-8), (popular, sum(hits) / len(hits))
    assert precision >= popular, f"precision@5: recommendations {precision}, most popular {popular}"
    return rows[0]


def assert_segments(events):
    """Every active user in exactly one of 3 k-means segments, with the features the test computes; named by their
    centre's activity, lightest first; and each user nearer to their own segment's centre (the mean of its members,
    features scaled by the day's largest) than to any other: k-means' fixed point."""
    columns = ("app_id", "user_id", "segment", "segment_name") + SEGMENT_FEATURES
    rows = hive_rows(f"SELECT {', '.join(columns)} FROM user_segments WHERE dt = '{DS}'")
    features = oracle.user_features(events)
    got = {(r[0], r[1]): dict(zip(columns[2:], r[2:], strict=True)) for r in rows}
    assert len(rows) == len(got) and set(got) == set(features), sorted(set(got) ^ set(features))[:5]
    assert {k: {f: v[f] for f in SEGMENT_FEATURES} for k, v in got.items()} == features
    assert {(v["segment"], v["segment_name"]) for v in got.values()} == set(enumerate(names.USER_SEGMENTS))
    top = {f: max(v[f] for v in features.values()) for f in SEGMENT_FEATURES}
    point = {k: tuple(v[f] / top[f] if top[f] else 0.0 for f in SEGMENT_FEATURES) for k, v in features.items()}
    members = defaultdict(list)
    for k, v in got.items():
        members[v["segment"]].append(point[k])
    centre = {s: tuple(sum(c) / len(ps) for c in zip(*ps, strict=True)) for s, ps in members.items()}
    activity = [sum(centre[s]) for s in sorted(centre)]
    assert activity == sorted(activity), activity
    for k, v in got.items():
        own = math.dist(point[k], centre[v["segment"]])
        assert all(own <= math.dist(point[k], c) + 1e-9 for c in centre.values()), (k, v, centre)
    return got


def backfill_the_day(client):
    """Airflow's own backfill (`lab batch backfill`: POST /api/v2/backfills) of the day before DS and DS, one run
    at a time: the day before has no data, each of its tasks skipped; DS's run builds every table. Returns DS's
    run id."""
    before = (DAY - timedelta(days=1)).isoformat()
    cli = subprocess.run(
        [sys.executable, "-m", "activitylab.cli", "batch", "backfill", "--from", before, "--to", DS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    runs = client.day_runs(DAILY_BATCH, LOGICAL_DATE - timedelta(days=1), LOGICAL_DATE)
    tasks = {day: client.task_states(DAILY_BATCH, run["dag_run_id"]) for day, run in runs.items()}
    failed = {
        (day, t): client.task_log(DAILY_BATCH, runs[day]["dag_run_id"], t)[-3000:]
        for day, states in tasks.items()
        for t, s in states.items()
        if s == "failed"
    }
    assert cli.returncode == 0, f"{cli.stdout}{cli.stderr}\nfailed: {failed}"
    assert {day: (run["run_type"], run["state"]) for day, run in runs.items()} == {
        before: ("backfill", "success"),
        DS: ("backfill", "success"),
    }, runs
    assert tasks == {before: dict.fromkeys(TASKS, "skipped"), DS: dict.fromkeys(TASKS, "success")}, tasks
    assert f"{before}: success, nothing to build (no data for the day)" in cli.stdout, cli.stdout
    assert f"{DS}: success, built" in cli.stdout, cli.stdout
    return runs[DS]["dag_run_id"]


TASKS = (
    "sqoop_import",
    "spark_etl",
    "pig_access_logs",
    "hive_aggregates",
    "mahout_recommendations",
    "mahout_segments",
    "mahout_evaluation",
    "sqoop_export",
    "data_quality",
)


def test_the_daily_dag_builds_tables_equal_to_an_independent_computation_and_reruns_identically(tmp_path):
    generated = generate_day(DAY, 1200, seed=BEHAVIOUR_SEED, ids_seed=int(RUN, 16), prefix=f"e2e{RUN}")
    access, bad_line = ship_access_logs(generated, tmp_path)  # first: Flume closes the files while the archive works
    events = send_day(generated)
    with_profile = add_profiles(events)
    wait_for(
        f"the {len(events)} events of {DS} in Hive `events`",
        lambda: len(hive_rows(f"SELECT event_id FROM events WHERE dt = '{DS}'")) >= len(events),
        timeout=300,
    )
    wait_access_logs_closed(access)
    gap = make_speed_gap(events)
    client = Airflow()

    first_run = backfill_the_day(client)
    first = {}
    for table in TABLES:
        got, rows = hive_table(table)
        assert rows == len(got), f"{table}: {rows} rows for {len(got)} keys"
        assert_equal_tables(table, got, expected_table(table, events))
        first[table] = got
    pages = first["page_stats_daily"]
    assert sum(r["views"] for r in pages.values()) == sum(e["event_type"] == "page_view" for e in events)
    assert sum(r["errors"] for r in pages.values()) > 0 and first["shop_funnel_daily"]["purchase"]["sessions"] > 0
    print(
        f"{DS}: {len(events)} events -> {len(pages)} pages, {len(first['navigation_paths_daily'])} paths, "
        f"sessions {[(a, r['sessions']) for a, r in sorted(first['sessions_daily'].items())]} (run {first_run})"
    )

    exported = {t: (first[t], len(first[t])) for t in names.EXPORTED_KPI_TABLES}
    assert mariadb_exported() == exported  # the export: Hive's rows, value for value
    assert_access_logs(access, bad_line)
    assert_access_logs_reconciled(client.task_log(DAILY_BATCH, first_run, "data_quality"), access)
    assert_page_hits_query(pages)
    assert_traced_into_the_days_tables(events, pages)
    drift = assert_drift(events, gap)
    assert_history_page(pages, drift)
    seeded = assert_profiles_imported()
    assert len(seeded) >= 300 and {"shop-u01", "news-u10", "learn-u05"} <= set(seeded) | set(with_profile)
    by_profile = assert_profile_activity(events)
    assert {k[1] for k in by_profile} > {"unknown"} and sum(r["events"] for r in by_profile.values()) == len(events)
    assert_plan_view(by_profile)
    recommendations = assert_recommendations(events)
    segments = assert_segments(events)
    quality = assert_recommendation_quality(events)
    print(
        f"{DS}: precision@5 of the recommendations {quality[2]:.3f}, of the most popular items {quality[3]:.3f} "
        f"({quality[0]} users, {quality[1]} held-out items)"
    )
    print(
        f"{DS}: {len(recommendations)} recommendations ({sum(r[5] == 'mahout' for r in recommendations)} by "
        f"Mahout), segment sizes {Counter(v['segment_name'] for v in segments.values())}"
    )
    changed = random.Random(RUN).sample(sorted(seeded), 3)
    change_profiles(changed)

    # Again, with three profiles changed and a copy of one archive file in the day's folder (the same events twice
    # where Hive reads): the import takes the three changes; the ETL reads each event once and rebuilds identical
    # tables; data quality fails the run, naming the file.
    folder = f"{names.HDFS_RAW_EVENTS}/dt={DS}"
    source = next(f["pathSuffix"] for f in webhdfs.list_dir(folder) if f["pathSuffix"].endswith(".parquet"))
    copy = f"{folder}/part-copy-{RUN}.parquet"
    webhdfs.put(copy, webhdfs.read(f"{folder}/{source}"))
    try:
        second_run = client.run_for_day(DAILY_BATCH, LOGICAL_DATE)
        assert second_run == first_run  # Airflow keeps one run per logical date: it ran again, cleared
        state = client.wait(DAILY_BATCH, second_run, timeout=1500)
        tasks = client.task_states(DAILY_BATCH, second_run)
        log = client.task_log(DAILY_BATCH, second_run, "data_quality")
        import_log = client.task_log(DAILY_BATCH, second_run, "sqoop_import")
    finally:
        webhdfs.delete(copy)
    assert (state, tasks) == ("failed", {**dict.fromkeys(TASKS, "success"), "data_quality": "failed"}), log[-3000:]
    assert "user_profiles: imported 3 changed profile(s)" in import_log, import_log[-3000:]
    now = assert_profiles_imported()
    assert {u for u in now if now[u] != seeded[u]} == set(changed)
    assert "archive_once" in log and "MISMATCH" in log and f"part-copy-{RUN}.parquet" in log, log[-3000:]
    for table in TABLES:
        got, rows = hive_table(table)
        assert (got, rows) == (first[table], len(first[table])), f"{table} differs after running {DS} again"
    assert mariadb_exported() == exported, "MariaDB's exported rows differ after running the day again"
    assert hive_recommendations() == recommendations, "recommendations differ after running the day again"
    assert assert_segments(events) == segments
    assert assert_recommendation_quality(events) == quality
    assert hive_drift() == drift, "speed_batch_drift differs after running the day again"
    assert_profile_activity(events)  # with the changed profiles: a changed plan moves that user's activity
    assert_access_logs(access, bad_line)
    assert_access_logs_reconciled(log, access)
