"""Watching the pipeline with the simulated users browsing (dashboard/cluster_data.py, monitoring/alerts.yml): the
pipeline map's flow into Kafka agrees with the sites' own counters, and a paused speed layer shows on the Cluster
page in headless chromium (its hop falls behind, the lag alert fires) until it resumes. The flow is measured while the
speed layer is paused: the sites and Kafka do not wait for it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import requests
from conftest import ROOT
from prometheus_client.parser import text_string_to_metric_families

from activity_clients import endpoints
from activity_clients.prometheus import Prometheus
from activity_contract import names
from activitylab.sites import SITE_PORTS, simulation
from dashboard.cluster_data import EDGES, LAG_ALERT
from lab_browser import chromium, keep_screenshot
from lab_sites import simulation_restored

MINUTE = 60
WARM_UP = 15
SITES_TO_KAFKA = next(e for e in EDGES if (e.source, e.target) == ("sites", "Kafka"))
SPOUT_HOP = ("Kafka", "Storm")


class FlowIntoKafka(threading.Thread):
    """A minute of the users' traffic measured both ways, in the background while the module's other test runs: the
    sites' own count of what they handed to Kafka, and the map's rate into Kafka over the same minute."""

    def __init__(self, prometheus: Prometheus):
        super().__init__(daemon=True)
        self.prometheus = prometheus
        self.result: tuple[float, float | None] | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            time.sleep(WARM_UP)  # the users have just been started: each begins after a think time of its own
            start, before = time.time(), produced_by_sites()
            time.sleep(MINUTE)  # the window measured
            end, after = time.time(), produced_by_sites()
            scraped_past(self.prometheus, f'kafka_server_messagesin_total{{topic="{names.TOPIC_EVENTS}"}}', end)
            self.result = (after - before) / (end - start), self.prometheus.value(SITES_TO_KAFKA.rate, at=end)
        except Exception as exc:  # the test that reads it fails with it
            self.error = exc


@pytest.fixture(scope="module")
def browsing(lab_env):
    """The simulated users browse for the whole module (the sites' settings restored after); a minute of their
    flow into Kafka is measured from the start."""
    with simulation_restored(lab_env["LAB_ADMIN_TOKEN"]):
        for app in SITE_PORTS:
            simulation(app, lab_env["LAB_ADMIN_TOKEN"], paused=False)
        flow = FlowIntoKafka(Prometheus())
        flow.start()
        yield flow
        flow.join()


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


def lab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "activitylab.cli", *args], cwd=ROOT, text=True, capture_output=True, timeout=300
    )


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
        assert LAG_ALERT not in page["firing"].split(",")


def test_the_maps_flow_into_kafka_is_the_sites_own_count_over_a_minute(browsing):
    browsing.join(timeout=WARM_UP + MINUTE + 120)
    assert browsing.error is None and browsing.result is not None, browsing.error
    sites_rate, map_rate = browsing.result
    print(f"into Kafka over a minute: the sites {sites_rate:.2f} events/s, the map {map_rate} events/s")
    assert sites_rate > 1, f"the users sent {sites_rate * MINUTE:.0f} events in a minute"
    assert map_rate is not None and abs(map_rate - sites_rate) <= 0.10 * sites_rate, (map_rate, sites_rate)
