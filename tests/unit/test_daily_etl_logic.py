"""The daily ETL's transformations (spark_jobs/daily_etl.py) on local pyspark against the test oracle
(tests/batch_oracle.py), on a generated day with sessions split by idle time and logouts, funnels, errors."""

import random
from datetime import UTC, datetime, timedelta

import pytest

import batch_oracle as oracle
from activity_contract import names
from event_cases import valid_event

pyspark = pytest.importorskip("pyspark")

from pyspark.sql import SparkSession  # noqa: E402

import daily_etl as etl  # noqa: E402

DAY = datetime(2026, 12, 1, tzinfo=UTC)
PAGES = ["/", "/product/1", "/product/2", "/cart", "/checkout", "/checkout/complete", "/category/books"]
KINDS = ["page_view"] * 6 + ["click", "add_to_cart", "purchase", "logout", "search"]


def generated_day(seed=7, users=6, per_user=60):
    rng = random.Random(seed)
    events = []
    for u in range(users):
        t = DAY + timedelta(minutes=rng.randint(0, 120))
        for _ in range(per_user):
            t += timedelta(
                seconds=rng.choice([5, 20, 90, 600, 1799, 1800, 1801, 3600]), milliseconds=rng.randint(0, 999)
            )
            if t.date() != DAY.date():
                break
            events.append(
                valid_event(
                    event_type=rng.choice(KINDS),
                    app_id=rng.choice(["shop", "shop", "news"]),
                    user_id=f"u{u}",
                    page=rng.choice(PAGES),
                    section=rng.choice(["home", "catalog", "cart"]),
                    http_status=rng.choice([200] * 9 + [503]),
                    latency_ms=round(rng.uniform(5, 900), 3),
                    country=rng.choice(["DE", "FR"]),
                    city=rng.choice(["Berlin", "Lyon"]),
                    event_time=t,
                )
            )
    events += events[:5]  # repeats: counted once
    return events


@pytest.fixture(scope="module")
def frames():
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("daily etl unit")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    day = generated_day()
    rows = [
        dict(e, event_ts=datetime.strptime(e["event_time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)) for e in day
    ]
    schema = (
        "event_id STRING, event_type STRING, event_time STRING, app_id STRING, user_id STRING, page STRING, "
        "section STRING, http_status INT, latency_ms DOUBLE, geo STRUCT<country: STRING, city: STRING>, "
        "event_ts TIMESTAMP"
    )
    keys = [
        "event_id",
        "event_type",
        "event_time",
        "app_id",
        "user_id",
        "page",
        "section",
        "http_status",
        "latency_ms",
        "geo",
        "event_ts",
    ]
    df = spark.createDataFrame(
        [tuple((r[k]["country"], r[k]["city"]) if k == "geo" else r[k] for k in keys) for r in rows], schema
    ).dropDuplicates(["event_id"])
    sessions = etl.sessionized(df).cache()
    views = etl.page_views(sessions).cache()
    yield day, df, sessions, views
    spark.stop()


def test_page_stats_equal_the_oracle(frames):
    day, _, _, views = frames
    got = {
        (r["app_id"], r["page"]): {k: r[k] for k in r.asDict() if k not in ("app_id", "page")}
        for r in etl.page_stats(views).collect()
    }
    want = oracle.page_stats(day)
    assert got.keys() == want.keys()
    for key, row in want.items():
        assert got[key] == pytest.approx(row), key


def test_sessions_paths_sections_geo_and_funnel_equal_the_oracle(frames):
    day, df, sessions, views = frames
    summary = {
        r["app_id"]: {k: r[k] for k in r.asDict() if k != "app_id"}
        for r in etl.session_summary(sessions, views).collect()
    }
    want_summary = oracle.session_summary(day)
    assert summary.keys() == want_summary.keys()
    for app, row in want_summary.items():
        pages = {k: row.pop(k) for k in ("top_entry_page", "top_exit_page")}
        assert {k: summary[app].pop(k) for k in pages} == pages, app
        assert summary[app] == pytest.approx(row), app
    assert {
        (r["app_id"], r["from_page"], r["to_page"]): r["transitions"] for r in etl.navigation_paths(views).collect()
    } == oracle.navigation_paths(day)
    sections = {
        (r["app_id"], r["section"]): {k: r[k] for k in r.asDict() if k not in ("app_id", "section")}
        for r in etl.section_engagement(sessions, views).collect()
    }
    want = oracle.section_engagement(day)
    assert sections.keys() == want.keys()
    for key, row in want.items():
        assert sections[key] == pytest.approx(row), key
    assert {
        (r["app_id"], r["country"], r["city"]): {
            "events": r["events"],
            "page_views": r["page_views"],
            "unique_users": r["unique_users"],
        }
        for r in etl.geo_traffic(df).collect()
    } == oracle.geo_traffic(day)
    funnel = {r["step"]: r["sessions"] for r in etl.shop_funnel(sessions).collect()}
    assert funnel == oracle.funnel(day)
    assert len(oracle.sessions(day)) > 20 and funnel["product"] > 0


def test_mahout_inputs_equal_the_oracle(frames):
    import mahout_inputs

    day, _, sessions, _ = frames
    prefs = {
        (r["app_id"], r["user_id"], r["page"]): r["preference"] for r in mahout_inputs.preferences(sessions).collect()
    }
    want = {(app, user, page): p for (app, user), pages in oracle.preferences(day).items() for page, p in pages.items()}
    assert prefs == want and set(want.values()) == {1, 3, 5}  # viewed, added to the cart, bought
    users = mahout_inputs.user_features(sessions).collect()
    assert [r["user_no"] for r in users] == list(range(1, len(users) + 1))
    assert [(r["app_id"], r["user_id"]) for r in users] == sorted(oracle.user_features(day))
    assert {
        (r["app_id"], r["user_id"]): {f: r[f] for f in names.SEGMENT_FEATURES} for r in users
    } == oracle.user_features(day)
