"""A site's metrics for Prometheus, at GET /metrics (monitoring/README.md).

Requests by status and their latency are observed as they are served; everything else is read at scrape time from
the counters the site already keeps (SiteState.counters(): page views, /collect's accepted and rejected events, the
Kafka sink's produced, failed, spooled and dead-lettered records, its queue and spool), so the two never disagree.
Health probes and the scrapes themselves are not traffic: not observed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

PREFIX = "activitylab_site"
# Latency buckets (seconds): the sites' pages take 5-100 ms, their slow pages SITE_SLOW_MS (~1.5 s), a few more.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The sink's figures that go up and down (the others only grow)
SINK_GAUGES = {
    "queued",
    "in_flight",
    "spool_pending",
    "spool_bytes",
    "spool_max_bytes",
    "dlq_pending",
    "kafka_connected",
}


class CountersCollector(Collector):
    """The site's and the sink's counters, as they are at scrape time."""

    def __init__(self, app_id: str, counters: Callable[[], dict[str, Any]]):
        self.app_id = app_id
        self.counters = counters

    def collect(self) -> Iterator[Metric]:
        snapshot = self.counters()
        site = CounterMetricFamily(f"{PREFIX}_events", "the site's own counts, by name", labels=["app", "counter"])
        for name, value in snapshot["site"].items():
            site.add_metric([self.app_id, name], float(value))
        yield site
        sink_counts = CounterMetricFamily(
            f"{PREFIX}_sink_records", "the Kafka sink's records, by what became of them", labels=["app", "counter"]
        )
        for name, value in snapshot["sink"].items():
            if name in SINK_GAUGES:
                gauge = GaugeMetricFamily(f"{PREFIX}_sink_{name}", f"the Kafka sink's {name}", labels=["app"])
                gauge.add_metric([self.app_id], float(value))
                yield gauge
            elif isinstance(value, int | float):
                sink_counts.add_metric([self.app_id, name], float(value))
        yield sink_counts


class SiteMetrics:
    def __init__(self, app_id: str, counters: Callable[[], dict[str, Any]]):
        self.app_id = app_id
        self.registry = CollectorRegistry()
        self.requests = Counter(
            f"{PREFIX}_requests", "requests served, by status", ["app", "status"], registry=self.registry
        )
        self.latency = Histogram(
            f"{PREFIX}_request_seconds", "time to serve a request", ["app"], buckets=BUCKETS, registry=self.registry
        )
        self.registry.register(CountersCollector(app_id, counters))

    def observe(self, status: int, seconds: float) -> None:
        self.requests.labels(self.app_id, str(status)).inc()
        self.latency.labels(self.app_id).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
