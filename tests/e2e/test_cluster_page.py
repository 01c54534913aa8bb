"""The dashboard's Cluster page in headless chromium (dashboard/cluster.py): the pipeline map with every hop, the
figures Prometheus holds, the alerts firing, every scrape target."""

from __future__ import annotations

from conftest import compose

from activity_clients import endpoints
from activity_clients.prometheus import Prometheus
from dashboard.cluster_data import EDGES
from lab_browser import chromium, keep_screenshot


def firing_names(prometheus: Prometheus) -> str:
    return ",".join(sorted(a["labels"]["alertname"] for a in prometheus.firing()))


def test_the_cluster_page_draws_the_pipeline_with_prometheus_figures():
    prometheus = Prometheus()
    firing_before = firing_names(prometheus)
    with chromium() as browser:
        tab = browser.new_page(viewport={"width": 1500, "height": 2600})
        tab.goto(f"{endpoints.url('dashboard')}/cluster")
        figures = tab.locator('[data-testid="cluster-figures"]')
        figures.wait_for(state="attached", timeout=120_000)
        graph = tab.locator('[data-testid="stGraphVizChart"] svg')
        graph.wait_for(timeout=60_000)
        keep_screenshot(tab, "cluster-page")
        drawn = graph.text_content()
        nodes = {e.source for e in EDGES} | {e.target for e in EDGES}
        assert all(node in drawn for node in nodes), (nodes, drawn)
        hops = tab.locator('[data-testid="cluster-hop"]')
        shown = {(h.get_attribute("data-source"), h.get_attribute("data-target")): h for h in hops.all()}
        assert set(shown) == {(e.source, e.target) for e in EDGES}
        # a healthy lab: no hop down; the flows carry numbers
        assert {h.get_attribute("data-health") for h in shown.values()} <= {"ok", "behind"}
        assert shown[("sites", "Kafka")].get_attribute("data-rate") != ""
        live = float(figures.get_attribute("data-live-datanodes"))
        # the speed layer's worker reports: no failure is a number (0 or more), not "no data"
        assert float(figures.get_attribute("data-tuples-failed")) >= 0
        page_firing = figures.get_attribute("data-firing")
        assert tab.get_by_text("scrape targets up").count() == 1
    running = len(compose("ps", "-q", "datanode").stdout.split())
    assert live == running == prometheus.value('max(fs_namesystem_num_live_data_nodes{job="namenode"})')
    assert page_firing in (firing_before, firing_names(prometheus))  # an alert may change state meanwhile
