"""A site's /metrics: requests by status and their latency as served, and the site's and sink's own counters read
at scrape time (producers/metrics.py). Health probes and scrapes are not counted as traffic."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def test_requests_by_status_latency_and_the_sites_counters(make_site):
    app, client, sink = make_site("news")
    for _ in range(3):
        assert client.get("/", headers={"X-Lab-Fault": "none"}).status_code == 200
    assert client.get("/no-such-page", headers={"X-Lab-Fault": "none"}).status_code == 404
    assert client.get("/", headers={"X-Lab-Fault": "error"}).status_code == 500
    client.get("/healthz")
    client.get("/metrics")
    m = scrape(client)
    assert m[("activitylab_site_requests_total", (("app", "news"), ("status", "200")))] == 3
    assert m[("activitylab_site_requests_total", (("app", "news"), ("status", "404")))] == 1
    assert m[("activitylab_site_requests_total", (("app", "news"), ("status", "500")))] == 1
    assert m[("activitylab_site_request_seconds_count", (("app", "news"),))] == 5  # not /healthz, not /metrics
    # the site's own counters, the same numbers /admin/counters gives
    page_views = m[("activitylab_site_events_total", (("app", "news"), ("counter", "page_views")))]
    assert page_views == 5 == app.extensions["activitylab"].counters()["site"]["page_views"]
    assert m[("activitylab_site_events_total", (("app", "news"), ("counter", "faults_error")))] == 1


def test_each_of_the_sinks_figures_is_a_counter_or_a_gauge(make_site):
    app, client, sink = make_site("shop")
    client.get("/", headers={"X-Lab-Fault": "none"})
    m = scrape(client)
    assert m[("activitylab_site_sink_records_total", (("app", "shop"), ("counter", "produced")))] == 1
    assert m[("activitylab_site_sink_spool_pending", (("app", "shop"),))] == 0
    assert m[("activitylab_site_sink_kafka_connected", (("app", "shop"),))] == 1
    for key in sink.counters():
        gauge = ("activitylab_site_sink_" + key, (("app", "shop"),))
        counter = ("activitylab_site_sink_records_total", (("app", "shop"), ("counter", key)))
        assert gauge in m or counter in m, key


def test_scrapes_are_neither_page_views_nor_access_log_lines(make_site, settings):
    app, client, sink = make_site("learn")
    for _ in range(3):
        client.get("/metrics")
    assert sink.events == []
    assert app.extensions["activitylab"].counters()["site"]["page_views"] == 0
    client.get("/", headers={"X-Lab-Fault": "none"})  # one page: the access log exists, with that line alone
    access = "".join(p.read_text() for p in settings.log_dir.rglob("access*.log"))
    assert access.count("\n") == 1 and '"GET / ' in access and "/metrics" not in access
