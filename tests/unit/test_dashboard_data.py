"""The dashboard's pure logic: HBase cells -> what the page shows, settings, cards, figures (no HBase, no browser)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from activity_contract import names
from dashboard import cards, charts, live_data
from dashboard.settings import Settings, parse_site_urls
from dashboard.simulation import speed_value

NOW = datetime(2026, 11, 23, 19, 34, 30, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
C = names.encode_counter


def active_cells(**extra):
    return {
        names.C_ACTIVE_5M: C(3),
        names.C_ACTIVE_30M: C(7),
        names.C_UPDATED_AT: b"2026-11-23T19:34:28.120Z",
        names.C_REQUESTS_1M: b"42",
        names.C_ERROR_RATE_1M: b"0.0250",
        names.C_P95_LATENCY_1M: b"380.5",
        names.C_HEALTH_AT: b"2026-11-23T19:34:29.000Z",
        **extra,
    }


def test_site_summary_decodes_counts_and_health():
    assert live_data.site_summary("shop", active_cells()) == {
        "app": "shop",
        "active_5m": 3,
        "active_30m": 7,
        "updated_at": "2026-11-23T19:34:28.120Z",
        "requests_1m": 42,
        "error_rate_1m": 0.025,
        "p95_latency_ms_1m": 380.5,
        "health_at": "2026-11-23T19:34:29.000Z",
    }


def test_site_summary_without_a_count_is_no_data_and_health_is_optional():
    assert live_data.site_summary("shop", {}) is None
    only_counts = {names.C_ACTIVE_5M: C(0), names.C_ACTIVE_30M: C(2), names.C_UPDATED_AT: b"2026-11-23T19:34:28.120Z"}
    summary = live_data.site_summary("news", only_counts)
    assert (summary["active_5m"], summary["active_30m"]) == (0, 2)
    assert summary["requests_1m"] is summary["error_rate_1m"] is summary["p95_latency_ms_1m"] is None


def test_age_of_a_contract_time():
    assert live_data.age_s("2026-11-23T19:34:28.000Z", NOW) == 2.0
    assert live_data.age_s(None, NOW) is None
    assert live_data.age_s("yesterday", NOW) is None


def test_live_users_are_those_seen_within_30_minutes_newest_site_wins():
    def seen(ms):
        return str(ms).encode()

    rows = {
        "shop": {
            b"u:shop-u01": seen(NOW_MS - 1000),
            b"u:both": seen(NOW_MS - 60_000),
            b"u:gone": seen(NOW_MS - 1801_000),
            names.C_UPDATED_AT: b"x",
        },
        "news": {b"u:both": seen(NOW_MS - 5000), b"u:bad": b"not-a-number"},
    }
    assert live_data.live_users(rows, NOW_MS) == {
        "shop-u01": {"app": "shop", "last_ms": NOW_MS - 1000},
        "both": {"app": "news", "last_ms": NOW_MS - 5000},
    }


def test_live_session_keys_skip_ended_and_unreadable_sessions():
    def row(state):
        return {names.C_USER_SESSION: state if isinstance(state, bytes) else json.dumps(state).encode()}

    users = {
        "a": row({"key": "a#1", "last_ms": 1, "ended": ""}),
        "b": row({"key": "b#1", "last_ms": 1, "ended": "idle"}),
        "c": row(b"{broken"),
        "d": {},
    }
    assert live_data.live_session_keys(users) == {"a": "a#1"}


def session_cells(user, app, start, last, current, ended=""):
    return {
        names.C_SESSION_USER: user.encode(),
        names.C_SESSION_APP: app.encode(),
        names.C_SESSION_START: start.encode(),
        names.C_SESSION_LAST_SEEN: last.encode(),
        names.C_SESSION_PAGES: C(4),
        names.C_SESSION_EVENTS: C(9),
        names.C_SESSION_ENTRY: b"/",
        names.C_SESSION_CURRENT: current.encode(),
        names.C_SESSION_ENDED: ended.encode(),
    }


def test_live_sessions_frame_and_top_pages_now():
    rows = {
        "s1": session_cells("shop-u01", "shop", "2026-11-23T19:00:00.000Z", "2026-11-23T19:30:00.000Z", "/cart"),
        "s2": session_cells("shop-u02", "shop", "2026-11-23T19:10:00.000Z", "2026-11-23T19:34:00.000Z", "/cart"),
        "s3": session_cells("news-u01", "news", "2026-11-23T19:20:00.000Z", "2026-11-23T19:33:00.000Z", "/"),
        "s4": session_cells("news-u02", "news", "2026-11-23T18:00:00.000Z", "2026-11-23T18:10:00.000Z", "/x", "idle"),
    }
    sessions = live_data.live_sessions_frame(rows)
    assert list(sessions["user_id"]) == ["shop-u02", "news-u01", "shop-u01"]  # most recently active first
    assert sessions.loc[0, "last_seen"] == datetime(2026, 11, 23, 19, 34, tzinfo=UTC)
    assert sessions.loc[0, "page_count"] == 4
    now = live_data.current_pages(sessions)
    assert now.to_dict("records") == [
        {"app": "shop", "page": "/cart", "sessions": 2},
        {"app": "news", "page": "/", "sessions": 1},
    ]


def test_no_live_session_is_an_empty_frame():
    sessions = live_data.live_sessions_frame({})
    assert sessions.empty and list(sessions.columns) == live_data.SESSION_COLUMNS
    assert live_data.current_pages(sessions).empty


def test_minute_frame_fills_quiet_minutes_with_zero():
    rows = {
        names.minute_row("shop", NOW): {names.C_EVENTS: C(12), names.C_PAGE_VIEWS: C(8), names.C_ERRORS: C(1)},
        names.minute_row("news", NOW - timedelta(minutes=29)): {names.C_EVENTS: C(5)},
        names.minute_row("news", NOW - timedelta(minutes=30)): {names.C_EVENTS: C(99)},
    }  # out of range
    frame = live_data.minute_frame(rows, ["shop", "news"], NOW)
    assert len(frame) == 60 and frame.groupby("app").size().to_dict() == {"news": 30, "shop": 30}
    last = frame[(frame.app == "shop") & (frame.minute == datetime(2026, 11, 23, 19, 34, tzinfo=UTC))]
    assert last[["events", "page_views", "errors"]].values.tolist() == [[12, 8, 1]]
    assert frame[frame.app == "news"]["events"].tolist() == [5] + [0] * 29
    assert frame["events"].sum() == 17


def test_top_pages_keeps_the_most_viewed_per_site():
    rows = {names.page_row("shop", f"/p{i}"): {names.C_VIEWS: C(i)} for i in range(1, 6)}
    rows[names.page_row("news", "/a#b")] = {names.C_VIEWS: C(3)}  # a `#` in the page stays in the page
    top = live_data.top_pages(rows, per_site=2)
    assert top.to_dict("records") == [
        {"app": "news", "page": "/a#b", "views": 3},
        {"app": "shop", "page": "/p5", "views": 5},
        {"app": "shop", "page": "/p4", "views": 4},
    ]


def alert(app, ms, kind="error_rate"):
    return names.alert_row(app, ms), {
        names.C_ALERT_TYPE: kind.encode(),
        names.C_ALERT_METRIC: b"error_rate",
        names.C_ALERT_VALUE: b"0.25",
        names.C_ALERT_THRESHOLD: b"0.2",
        names.C_ALERT_MESSAGE: f"{app}: too many 5xx".encode(),
        names.C_ALERT_TIME: b"2026-11-23T19:30:00.000Z",
        names.C_ALERT_APP: app.encode(),
    }


def test_alerts_newest_first_and_the_banner_keeps_each_sites_newest_recent_one():
    rows = dict(
        [
            alert("shop", NOW_MS - 10_000),
            alert("shop", NOW_MS - 5_000, "p95_latency"),
            alert("news", NOW_MS - 600_000),
            alert("learn", NOW_MS - 1_000),
        ]
    )
    alerts = live_data.alert_records(rows)
    assert [(a["app"], a["time_ms"]) for a in alerts] == [
        ("learn", NOW_MS - 1_000),
        ("shop", NOW_MS - 5_000),
        ("shop", NOW_MS - 10_000),
        ("news", NOW_MS - 600_000),
    ]
    assert alerts[0]["value"] == 0.25 and alerts[0]["threshold"] == 0.2
    banner = live_data.current_alerts(alerts, NOW_MS)
    assert sorted(banner) == ["learn", "shop"] and banner["shop"]["type"] == "p95_latency"


def test_recent_pages_of_a_user():
    pages = [
        {"event_id": "e2", "page": "/cart", "time": "2026-11-23T19:34:00.000Z", "app_id": "shop"},
        {"event_id": "e1", "page": "/", "time": "2026-11-23T19:33:00.000Z", "app_id": "shop"},
    ]
    frame = live_data.recent_pages({names.C_RECENT_PAGES: json.dumps(pages).encode()})
    assert frame["page"].tolist() == ["/cart", "/"]
    assert frame.loc[1, "time"] == datetime(2026, 11, 23, 19, 33, tzinfo=UTC)
    assert live_data.recent_pages({}).empty and live_data.recent_pages({names.C_RECENT_PAGES: b"["}).empty


def test_site_urls_and_settings_from_env():
    assert parse_site_urls("learn=http://learn:5003/, shop=http://shop:5001") == {
        "shop": "http://shop:5001",
        "learn": "http://learn:5003",
    }
    with pytest.raises(ValueError, match="unknown site 'blog'"):
        parse_site_urls("blog=http://blog")
    with pytest.raises(ValueError, match="not app=url"):
        parse_site_urls("shop")
    s = Settings.from_env(
        {"HBASE_THRIFT_HOST": "hbase-thrift", "LAB_ADMIN_TOKEN": "t0ken", "DASHBOARD_REFRESH_S": "2.5"}
    )
    assert (s.hbase_host, s.hbase_port, s.refresh_s, s.apps) == ("hbase-thrift", 9090, 2.5, names.APPS)
    assert list(s.site_urls) == list(names.APPS) and "t0ken" not in repr(s)
    assert Settings.from_env({"DASHBOARD_APPS": "zz-a, zz-b"}).apps == ("zz-a", "zz-b")
    with pytest.raises(ValueError, match="DASHBOARD_REFRESH_S"):
        Settings.from_env({"DASHBOARD_REFRESH_S": "fast"})


def test_speed_value_is_on_the_sliders_grid_and_in_range():
    assert speed_value(1.2000000000000002) == 1.2
    assert speed_value(0.01) == 0.1 and speed_value(25) == 20.0


def test_site_card_shows_the_count_with_its_updated_at():
    summary = live_data.site_summary("shop", active_cells())
    html = cards.site_card("shop", summary, "#000", age_s=2.0, alerting=True)
    assert 'data-testid="site-card-shop"' in html and 'data-updated-at="2026-11-23T19:34:28.120Z"' in html
    assert '<span class="lab-big" data-field="active_5m">3</span>' in html and 'data-field="active_30m">7<' in html
    assert "2.5 % errors" in html and "p95 380 ms" in html and "alerting" in html and "stale" not in html
    assert "stale" in cards.site_card("shop", summary, "#000", age_s=cards.STALE_S + 1, alerting=False)


def test_site_card_before_any_count_and_escaping():
    html = cards.site_card("<b>", None, "#000", age_s=None, alerting=False)
    assert 'data-updated-at=""' in html and "no data yet" in html and "<b>" not in html


def test_figures_have_one_trace_per_site():
    frame = live_data.minute_frame({}, ["shop", "news"], NOW)
    assert [t.name for t in charts.events_per_minute(frame).data] == ["shop", "news"]
    sites = [live_data.site_summary(a, active_cells()) for a in ("shop", "learn")]
    assert len(charts.health_bars(sites).data) == 2
    top = live_data.top_pages({names.page_row("shop", "/"): {names.C_VIEWS: C(3)}})
    assert charts.page_bars(top, "views", "page views").data[0].x.tolist() == [3]
