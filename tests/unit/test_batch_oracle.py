"""The test oracle of the daily tables (tests/batch_oracle.py) on small hand-made days whose answers are known."""

from datetime import UTC, datetime, timedelta

import pytest

import batch_oracle as oracle
from event_cases import valid_event

T0 = datetime(2026, 12, 1, 10, 0, 0, tzinfo=UTC)


def ev(
    minutes,
    page,
    kind="page_view",
    user="shop-u01",
    app="shop",
    status=200,
    latency=10.0,
    section="catalog",
    country="DE",
    city="Berlin",
):
    return valid_event(
        event_type=kind,
        app_id=app,
        user_id=user,
        page=page,
        http_status=status,
        latency_ms=latency,
        section=section,
        country=country,
        city=city,
        event_time=T0 + timedelta(minutes=minutes),
    )


def test_percentile_interpolates_like_spark_and_hive():
    assert oracle.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert oracle.percentile([10.0], 0.95) == 10.0
    assert oracle.percentile(list(range(1, 101)), 0.95) == pytest.approx(95.05)
    assert oracle.percentile([], 0.95) is None


def test_sessions_split_on_30_minutes_idle_and_on_logout_and_ignore_repeats():
    a = ev(0, "/")
    day = [
        a,
        dict(a),
        ev(10, "/product/1"),
        ev(41, "/"),
        ev(42, "/cart", kind="logout"),
        ev(43, "/"),
        ev(0, "/", user="shop-u02"),
    ]
    ss = oracle.sessions(day)
    assert [(s.user_id, len(s.events)) for s in ss] == [
        ("shop-u01", 2),
        ("shop-u01", 2),
        ("shop-u01", 1),
        ("shop-u02", 1),
    ]
    # exactly 30 minutes is still the same session; more is a new one
    assert len(oracle.sessions([ev(0, "/"), ev(30, "/a")])) == 1


def test_page_stats_entries_exits_paths_and_summary():
    day = [
        ev(0, "/", latency=10),
        ev(1, "/product/1", latency=20),
        ev(2, "/product/1", kind="click"),
        ev(3, "/", latency=30, status=503),
        ev(0, "/", user="shop-u02", latency=40),
    ]
    stats = oracle.page_stats(day)
    assert stats[("shop", "/")] == {
        "views": 3,
        "unique_users": 2,
        "avg_latency_ms": 80 / 3,
        "p95_latency_ms": pytest.approx(39.0),
        "errors": 1,
        "entries": 2,
        "exits": 2,
    }
    assert stats[("shop", "/product/1")]["views"] == 1 and stats[("shop", "/product/1")]["exits"] == 0
    assert oracle.navigation_paths(day) == {("shop", "/", "/product/1"): 1, ("shop", "/product/1", "/"): 1}
    summary = oracle.session_summary(day)["shop"]
    assert summary["sessions"] == 2 and summary["bounce_rate"] == 0.5
    assert summary["avg_duration_s"] == 90.0 and summary["pages_per_session"] == 2.0
    assert summary["top_entry_page"] == "/" and summary["top_exit_page"] == "/"


def test_sections_time_on_page_and_geography():
    day = [
        ev(0, "/", section="home"),
        ev(2, "/product/1"),
        ev(5, "/product/2"),
        ev(0, "/", user="shop-u02", section="home", country="FR", city="Lyon"),
    ]
    sections = oracle.section_engagement(day)
    assert sections[("shop", "home")] == {"events": 2, "page_views": 2, "unique_users": 2, "avg_time_on_page_s": 120.0}
    assert sections[("shop", "catalog")]["avg_time_on_page_s"] == 180.0
    geo = oracle.geo_traffic(day)
    assert geo[("shop", "DE", "Berlin")] == {"events": 3, "page_views": 3, "unique_users": 1}
    assert geo[("shop", "FR", "Lyon")]["unique_users"] == 1


def test_funnel_counts_sessions_reaching_each_step_in_order():
    buyer = [
        ev(0, "/product/1"),
        ev(1, "/product/1", kind="add_to_cart"),
        ev(2, "/checkout"),
        ev(3, "/checkout/complete", kind="purchase"),
    ]
    out_of_order = [
        ev(0, "/checkout", user="shop-u02"),
        ev(1, "/product/2", user="shop-u02"),
        ev(2, "/product/2", kind="add_to_cart", user="shop-u02"),
    ]
    assert oracle.funnel(buyer + out_of_order) == {"product": 2, "add_to_cart": 2, "checkout": 1, "purchase": 1}
