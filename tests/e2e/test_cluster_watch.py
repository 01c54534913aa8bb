"""Watching the pipeline with the simulated users browsing (dashboard/cluster_data.py, monitoring/alerts.yml): two
minutes of the sites' normal traffic raise no alert of the speed layer's alerting bolt; meanwhile, in the background,
the pipeline map's flow into Kafka agrees with the sites' own counters and its flow from Storm into HBase with the
change of the counters there. Then a paused speed layer shows on the Cluster page in headless chromium (its hop falls
behind, the lag alert fires) until it resumes.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import requests
from conftest import lab
from prometheus_client.parser import text_string_to_metric_families

from activity_clients import endpoints
from activity_clients.prometheus import Prometheus
from activity_contract import names
from activitylab.sites import SITE_PORTS, simulation
from dashboard.cluster_data import EDGES, LAG_ALERT
from lab_browser import chromium, keep_screenshot
from lab_sites import consumer_at_end, drain, simulation_restored
from lab_speed import hbase
from producers.page_views import BASE_LATENCY_MS, DEFAULT_LATENCY_MS

MINUTE = 60
WARM_UP = 15
SITES_TO_KAFKA = next(e for e in EDGES if (e.source, e.target) == ("sites", "Kafka"))
STORM_TO_HBASE = next(e for e in EDGES if (e.source, e.target) == ("Storm", "HBase"))
KAFKA_IN = f'kafka_server_messagesin_total{{topic="{names.TOPIC_EVENTS}"}}'
COUNTERS_EXECUTED = 'storm_worker_tuples_total{component="counters", counter="execute"}'
SPOUT_HOP = ("Kafka", "Storm")


class Flow(threading.Thread):
    """A minute of a flow measured both ways, in the background while other tests run: the map's rate (PromQL over
    the last minute, from a counter Prometheus scrapes every 15 s) and the flow's own count (`read`, polled every
    second). The map's rate is the counter's change between its first and its last sample of the minute, per second;
    the count is compared over those same instants, interpolated between polls (a minute's bursts would otherwise
    decide: the users' clicks come in bunches)."""

    def __init__(self, prometheus: Prometheus, edge_rate: str, series: str, read, warm_up: float = 0):
        super().__init__(daemon=True)
        self.prometheus, self.edge_rate, self.series, self.read, self.warm_up = (
            prometheus,
            edge_rate,
            series,
            read,
            warm_up,
        )
        self.result: tuple[float, float | None] | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            time.sleep(self.warm_up)
            polls, end = [], time.time() + MINUTE + 20  # a minute, and the scrapes around it
            while time.time() < end:
                polls.append((time.time(), self.read()))
                time.sleep(1)
            end = polls[-1][0] - 10
            scraped_past(self.prometheus, self.series, end)
            samples = self.prometheus.query(f"{self.series}[{MINUTE}s]", at=end)[0]["values"]
            (t0, _), (t1, _) = samples[0], samples[-1]
            direct = (at(polls, float(t1)) - at(polls, float(t0))) / (float(t1) - float(t0))
            self.result = direct, self.prometheus.value(self.edge_rate, at=end)
        except Exception as exc:  # the test that reads it fails with it
            self.error = exc

    def rates(self) -> tuple[float, float | None]:
        if self.ident is not None:  # started as a thread (else run here)
            self.join(timeout=self.warm_up + MINUTE + 120)
        assert self.error is None and self.result is not None, self.error
        return self.result


def at(polls: list[tuple[float, float]], moment: float) -> float:
    """The polled count at `moment`, interpolated between the polls around it."""
    (ta, va), (tb, vb) = next((a, b) for a, b in zip(polls, polls[1:], strict=False) if a[0] <= moment <= b[0])
    return va + (vb - va) * (moment - ta) / (tb - ta)


@dataclass
class Flows:
    into_kafka: Flow
    storm_to_hbase: Flow


@pytest.fixture(scope="module")
def browsing(lab_env):
    """The simulated users browse for the whole module (the sites' settings restored after); a minute of their
    flow into Kafka, and of the speed layer's into HBase, is measured from the start, in the background, while the
    first test watches for alerts."""
    with simulation_restored(lab_env["LAB_ADMIN_TOKEN"]):
        for app in SITE_PORTS:
            simulation(app, lab_env["LAB_ADMIN_TOKEN"], paused=False)
        # the users have just been started: each begins after a think time of its own
        since, prometheus = time.time(), Prometheus()
        flows = Flows(
            Flow(prometheus, SITES_TO_KAFKA.rate, KAFKA_IN, produced_by_sites, warm_up=WARM_UP),
            Flow(prometheus, STORM_TO_HBASE.rate, COUNTERS_EXECUTED, lambda: counter_updates_in_hbase(since), WARM_UP),
        )
        flows.into_kafka.start()
        flows.storm_to_hbase.start()
        yield flows
        flows.into_kafka.join()
        flows.storm_to_hbase.join()


def produced_by_sites() -> float:
    """What the three sites say they handed to Kafka, from their own /metrics."""
    total = 0.0
    for app in names.APPS:
        text = requests.get(endpoints.url(app, "/metrics"), timeout=10).text
        for family in text_string_to_metric_families(text):
            total += sum(
                s.value
                for s in family.samples
                if s.name == "activitylab_site_sink_records_total" and s.labels.get("counter") == "produced"
            )
    return total


def scraped_past(prometheus: Prometheus, expr: str, moment: float, timeout: float = 60) -> None:
    """Until Prometheus holds a sample of `expr` taken after `moment`."""
    deadline = time.monotonic() + timeout
    while (prometheus.value(f"max(timestamp({expr}))") or 0) < moment:
        assert time.monotonic() < deadline, f"no sample of {expr} after {moment} within {timeout} s"
        time.sleep(1)


def spout_hop(tab) -> dict[str, str]:
    """The Cluster page's row of the Kafka -> Storm hop, freshly loaded."""
    tab.goto(f"{endpoints.url('dashboard')}/cluster")
    row = tab.locator(f'[data-testid="cluster-hop"][data-source="{SPOUT_HOP[0]}"][data-target="{SPOUT_HOP[1]}"]')
    row.wait_for(state="attached", timeout=120_000)
    figures = tab.locator('[data-testid="cluster-figures"]')
    return {
        "health": row.get_attribute("data-health") or "",
        "backlog": row.get_attribute("data-backlog") or "",
        "firing": figures.get_attribute("data-firing") or "",
        "lagging": figures.get_attribute("data-lagging") or "",
    }


def lag_alert(prometheus: Prometheus) -> dict | None:
    return next(
        (
            a
            for a in prometheus.alerts()
            if a["labels"]["alertname"] == LAG_ALERT and a["labels"].get("consumer") == names.SPEED_CONSUMER_GROUP
        ),
        None,
    )


def test_normal_traffic_raises_no_speed_layer_alert_for_two_minutes(lab_env, browsing):
    # The settings make "normal" quiet by construction, not by luck: the slowest page the sites serve
    # (slow fault: SITE_SLOW_MS * 1.2 on top of 1.5 x the slowest base latency) stays under the p95 threshold,
    # and the configured error rate is a tenth of the alert's or less.
    slowest = 1.2 * float(lab_env.get("SITE_SLOW_MS", 1500)) + 1.5 * max(
        [*BASE_LATENCY_MS.values(), DEFAULT_LATENCY_MS]
    )
    assert slowest < float(lab_env["ALERT_P95_MS"]), (slowest, lab_env["ALERT_P95_MS"])
    assert float(lab_env["SITE_ERROR_RATE"]) <= float(lab_env["ALERT_ERROR_RATE"]) / 10
    consumer = consumer_at_end(names.TOPIC_ALERTS)
    start_ms = int(time.time() * 1000)
    messages = drain(consumer, lambda msgs: False, timeout=120)
    consumer.close()
    alerts = [json.loads(m.value) for m in messages]
    assert [a for a in alerts if a.get("app_id") in names.APPS] == []
    conn = hbase()
    rows = [
        k
        for app in names.APPS
        for k, _ in conn.table(names.T_ALERTS).scan(row_prefix=f"{app}#".encode())
        if names.alert_time_ms(k) >= start_ms
    ]
    conn.close()
    assert rows == []


def test_the_maps_flow_into_kafka_is_the_sites_own_count_over_a_minute(browsing):
    sites_rate, map_rate = browsing.into_kafka.rates()
    print(f"into Kafka over a minute: the sites {sites_rate:.2f} events/s, the map {map_rate} events/s")
    assert sites_rate > 1, f"the users sent {sites_rate * MINUTE:.0f} events in a minute"
    assert map_rate is not None and abs(map_rate - sites_rate) <= 0.10 * sites_rate, (map_rate, sites_rate)


def counter_updates_in_hbase(since: float) -> int:
    """The counters the speed layer keeps in HBase, summed so that each update of the counting bolt adds one: every
    event adds 1 to its minute's c:events (minute_stats), every page view 1 to its page's c:views (page_counts)."""
    conn = hbase()
    try:
        views = sum(
            names.decode_counter(cells.get(names.C_VIEWS))
            for _, cells in conn.table(names.T_PAGE_COUNTS).scan(columns=[names.C_VIEWS])
        )
        events = 0
        first = datetime.fromtimestamp(since - 600, UTC)  # the minutes the window's events can fall in, and more
        for app in names.APPS:
            rows = conn.table(names.T_MINUTE_STATS).scan(
                row_start=names.minute_row(app, first), row_stop=f"{app}#~".encode(), columns=[names.C_EVENTS]
            )
            events += sum(names.decode_counter(cells.get(names.C_EVENTS)) for _, cells in rows)
        return views + events
    finally:
        conn.close()


def test_the_maps_flow_from_storm_to_hbase_is_the_counters_change_over_a_minute(browsing):
    hbase_rate, map_rate = browsing.storm_to_hbase.rates()
    print(f"Storm into HBase over a minute: the counters {hbase_rate:.2f} updates/s, the map {map_rate} updates/s")
    assert hbase_rate > 1, f"{hbase_rate * MINUTE:.0f} counter updates in a minute"
    assert map_rate is not None and abs(map_rate - hbase_rate) <= 0.10 * hbase_rate, (map_rate, hbase_rate)


def test_a_paused_speed_layer_falls_behind_on_the_cluster_page_and_fires_the_lag_alert(browsing):
    prometheus = Prometheus()
    assert lag_alert(prometheus) is None
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1500, "height": 2600})
        calm = spout_hop(tab)
        assert calm["health"] == "ok", calm
        paused = lab("storm", "pause")
        assert paused.returncode == 0 and "INACTIVE" in paused.stdout, paused.stdout + paused.stderr
        try:
            # Behind by more than 30 s of inflow: after 30 s, seen at the exporter's next scrape (15 s) and the rules'
            # next evaluation (15 s); firing a `for:` (1 min) later. The page is read until it shows it.
            deadline = time.monotonic() + 30 + 15 + 15 + 60 + 15 + 30
            seen, pending_at = [], None
            while True:
                alert = lag_alert(prometheus)
                if alert and alert["state"] == "pending" and pending_at is None:
                    pending_at = time.monotonic()
                page = spout_hop(tab)
                seen.append(page)
                if alert and alert["state"] == "firing" and page["health"] == "behind":
                    break
                assert time.monotonic() < deadline, f"the lag alert did not fire on the page: {alert}, {seen[-3:]}"
                time.sleep(5)
            fired_after = time.monotonic() - (pending_at or 0)
            assert fired_after <= 60 + 15 + 20, (
                f"fired {fired_after:.0f} s after its condition held: over for: + a scrape"
            )
            keep_screenshot(tab, "cluster-page-spout-paused")
            assert LAG_ALERT in page["firing"].split(",")
            assert names.SPEED_CONSUMER_GROUP in page["lagging"].split(",")
            assert alert["annotations"]["summary"].startswith(f"{names.SPEED_CONSUMER_GROUP} is "), alert
            backlogs = [float(p["backlog"]) for p in seen if p["backlog"]]
            assert backlogs[-1] > backlogs[0] and backlogs[-1] > 30, backlogs  # the lag grew on the page
        finally:
            resumed = lab("storm", "resume")
        assert resumed.returncode == 0 and "ACTIVE" in resumed.stdout, resumed.stdout + resumed.stderr
        deadline = time.monotonic() + 90  # caught up within seconds; the alert resolves at the next evaluations
        while (alert := lag_alert(prometheus)) is not None or (page := spout_hop(tab))["health"] != "ok":
            assert time.monotonic() < deadline, f"still behind after the resume: {alert}"
            time.sleep(5)
        # (this consumer's: the page lists the consumers whose lag alert fires)
        assert names.SPEED_CONSUMER_GROUP not in page["lagging"].split(",")
