"""Pages of the three sites, and exactly one page_view per page request whatever the status."""

from __future__ import annotations

import pytest

from activity_contract.events import validate_event
from producers.catalog import get_site
from producers.simulator.sites import MODELS

SIM_HEADERS = {
    "X-Lab-User": "shop-u07",
    "X-Lab-Session": "sess-42",
    "X-Lab-Country": "JP",
    "X-Lab-City": "Tokyo",
    "X-Lab-Device": "mobile",
    "X-Lab-OS": "iOS",
    "X-Lab-Browser": "Mobile Safari",
    "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
}

PAGES = {
    "shop": [
        "/",
        "/catalog",
        "/catalog/books",
        "/product/1",
        "/product/40",
        "/search?q=tent",
        "/search",
        "/cart",
        "/checkout",
        "/checkout/complete?order=o-1",
        "/login",
        "/logout",
        "/account",
    ],
    "news": ["/", "/section/world", "/section/culture", "/article/1", "/article/24", "/search?q=market", "/login"],
    "learn": [
        "/",
        "/courses",
        "/course/python-basics",
        "/course/sql-analysts/lesson/4",
        "/course/statistics/quiz",
        "/forum",
        "/forum/thread/3",
        "/search?q=sql",
        "/account",
    ],
}


@pytest.mark.parametrize("app_id", ["shop", "news", "learn"])
def test_pages_render_as_html_and_each_emits_one_valid_page_view(make_site, app_id):
    app, client, sink = make_site(app_id)
    for n, path in enumerate(PAGES[app_id], 1):
        response = client.get(path, headers={**SIM_HEADERS, "X-Lab-User": f"{app_id}-u07"})
        assert response.status_code == 200, path
        assert response.mimetype == "text/html" and b"<!doctype html>" in response.data
        assert len(sink.page_views()) == n
        event = sink.events[-1]
        assert validate_event(event) == []
        assert (event["page"], event["http_status"], event["app_id"]) == (path.split("?")[0], 200, app_id)
        assert event["section"] != "unknown", path


@pytest.mark.parametrize("app_id", ["shop", "news", "learn"])
def test_broken_links_are_linked_from_pages_and_404_with_a_page_view(make_site, app_id):
    app, client, sink = make_site(app_id)
    linked = b"".join(client.get(p).data for p in PAGES[app_id])
    for path in get_site(app_id).BROKEN_LINKS:
        assert f'href="{path}"'.encode() in linked, f"{path} is not linked from any page"
        before = len(sink.page_views())
        response = client.get(path)
        assert response.status_code == 404 and b"404" in response.data
        assert len(sink.page_views()) == before + 1
        assert sink.events[-1]["http_status"] == 404 and validate_event(sink.events[-1]) == []


def test_page_view_carries_identity_headers_referrer_target_and_timing(site):
    app, client, sink = site
    response = client.get("/product/3", headers={**SIM_HEADERS, "Referer": "http://localhost/catalog/books?x=1"})
    e = sink.events[-1]
    assert (e["user_id"], e["session_id"]) == ("shop-u07", "sess-42")
    assert e["geo"] == {"country": "JP", "city": "Tokyo"}
    assert e["device"] == {"type": "mobile", "os": "iOS", "browser": "Mobile Safari"}
    assert e["user_agent"] == SIM_HEADERS["User-Agent"]
    assert (e["referrer"], e["target"], e["section"]) == ("/catalog/books", "3", "catalog")
    assert response.headers["X-Lab-Event-Id"] == e["event_id"]
    assert response.headers["X-Lab-Section"] == "catalog"
    assert response.headers["Server-Timing"] == f"app;dur={e['latency_ms']}"
    assert "lab_uid" not in response.headers.get("Set-Cookie", "")  # header identities manage themselves
    client.get("/search?q=camping+tent", headers={**SIM_HEADERS, "Referer": "https://www.bing.com/search?q=tent"})
    assert (sink.events[-1]["target"], sink.events[-1]["referrer"]) == (
        "camping tent",
        "https://www.bing.com/search?q=tent",
    )


def test_visitor_without_headers_gets_anonymous_cookie_identity_kept_across_requests(site):
    app, client, sink = site
    client.get(
        "/",
        headers={
            "User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
        },
    )
    client.get("/catalog")
    first, second = sink.events
    assert first["user_id"].startswith("anon-") and first["user_id"] == second["user_id"]
    assert first["session_id"] == second["session_id"]
    assert first["device"] == {"type": "desktop", "os": "Windows", "browser": "Chrome"}
    assert first["geo"] == {"country": "ZZ", "city": "Unknown"}
    client.get("/logout")  # a logout ends the session: the next page view starts a new one
    client.get("/")
    assert sink.events[-1]["user_id"] == first["user_id"]
    assert sink.events[-1]["session_id"] != first["session_id"]


def test_invalid_identity_headers_fall_back_instead_of_failing(site):
    app, client, sink = site
    response = client.get(
        "/", headers={"X-Lab-User": "bad user!", "X-Lab-Country": "Germany", "X-Lab-Device": "fridge"}
    )
    assert response.status_code == 200
    e = sink.events[-1]
    assert (
        e["user_id"].startswith("anon-")
        and e["geo"]["country"] == "ZZ"
        and e["device"]["type"] in ("desktop", "mobile", "tablet")
    )
    assert validate_event(e) == []


def test_500_from_an_injected_fault_is_a_page_view_with_traceback_in_error_log(site, settings):
    app, client, sink = site
    response = client.get("/product/5", headers={**SIM_HEADERS, "X-Lab-Fault": "error"})
    assert response.status_code == 500 and b"<!doctype html>" in response.data
    assert len(sink.page_views()) == 1 and sink.events[-1]["http_status"] == 500
    assert validate_event(sink.events[-1]) == []
    error_log = (settings.app_log_dir() / "error.log").read_text()
    assert "Traceback (most recent call last)" in error_log and "InjectedFault" in error_log


def test_500_from_a_bug_in_a_view_is_counted_once(site):
    app, client, sink = site

    @app.get("/boom", endpoint="boom")
    def boom():
        raise ZeroDivisionError("bug")

    response = client.get("/boom", headers=SIM_HEADERS)
    assert response.status_code == 500
    assert [e["http_status"] for e in sink.page_views()] == [500]


def test_teardown_safety_net_counts_a_request_whose_after_request_never_ran(site):
    app, client, sink = site

    # An after_request hook registered later runs earlier (Flask runs them in reverse) and fails on the
    # page and again on Flask's 500 response, so the site's own after_request never runs.
    @app.after_request
    def broken_hook(response):
        raise RuntimeError("hook bug")

    response = client.get("/catalog", headers=SIM_HEADERS)
    assert response.status_code == 500
    assert len(sink.page_views()) == 1


def test_405_and_head_requests_are_page_views_too(site):
    app, client, sink = site
    assert client.post("/product/1", headers=SIM_HEADERS).status_code == 405
    assert client.head("/product/1", headers=SIM_HEADERS).status_code == 200
    assert [e["http_status"] for e in sink.page_views()] == [405, 200]


def test_slow_fault_adds_real_latency(make_site):
    app, client, sink = make_site("shop", slow_ms=200)
    client.get("/", headers={**SIM_HEADERS, "X-Lab-Fault": "slow"})
    assert sink.events[-1]["latency_ms"] >= 150


def test_configured_error_rate_produces_about_that_share_of_500s(make_site):
    app, client, sink = make_site("news", error_rate=0.2, fault_seed=7)
    statuses = [client.get("/article/3", headers=SIM_HEADERS).status_code for _ in range(500)]
    share = statuses.count(500) / len(statuses)
    assert 0.15 <= share <= 0.25
    assert len(sink.page_views()) == 500


@pytest.mark.parametrize("path", ["/healthz", "/static/site.css", "/favicon.ico", "/admin/counters", "/robots.txt"])
def test_non_page_requests_emit_no_page_view(site, path):
    app, client, sink = site
    client.get(path, headers=SIM_HEADERS)
    assert sink.page_views() == []


def test_healthz_reports_counters(site):
    app, client, sink = site
    for path in ("/", "/nope", "/product/2"):
        client.get(path, headers=SIM_HEADERS)
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["app_id"] == "shop"
    site_counters = body["counters"]["site"]
    assert site_counters["page_views"] == 3 and site_counters["page_views_4xx"] == 1
    assert body["counters"]["sink"]["emitted"] == 3


@pytest.mark.parametrize("app_id", ["shop", "news", "learn"])
def test_every_path_the_simulator_can_pick_exists(make_site, app_id):
    """The navigation model and the site agree: every non-broken kind's paths answer 200."""
    import random

    from producers.simulator.model import Context

    app, client, sink = make_site(app_id)
    model = MODELS[app_id]
    rng, ctx = random.Random(3), Context()
    for _ in range(30):
        for name, kind in model.kinds.items():
            path = kind.pick(rng, ctx)
            assert client.get(path, headers=SIM_HEADERS).status_code == 200, (name, path)
