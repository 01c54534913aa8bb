"""The pipeline's progress for Prometheus: what no component reports itself (service `pipeline-exporter`).

    python -m monitoring.pipeline_exporter      serves :9400/metrics (the contract's PIPELINE_EXPORTER_PORT)
                                                and :9400/sd/storm-workers

- **Consumer lag**, per consumer and partition of the events topic: the broker's end offset minus what the consumer
  has done. The speed layer's spout commits its offsets to Kafka (its group); the streaming archive commits none,
  its progress is the offsets of its last committed micro-batch, in its checkpoint on HDFS (read through HttpFS).
- **The speed layer's event -> HBase latency** (monitoring/speed_latency.py): quantiles over the user rows
  written in the last minute, each its newest event's time to its write in HBase.
- **Where the speed layer's workers run**, for Prometheus' HTTP service discovery (STORM_WORKERS_SD_PATH): each
  worker's JMX exporter agent on the supervisor Nimbus placed it on (its tuples per component and stream are the
  worker's own metrics, monitoring/jmx/storm-worker.yaml).
- **Airflow's components** (with the batch profile): healthy or not, seconds since their last heartbeat, from its
  health API; and **Airflow's own metrics**, the StatsD lines it sends to :9125/udp (monitoring/statsd_receiver.py):
  tasks finished by state, DAG runs' durations, the scheduler's loops, the executor's slots.
- `activitylab_exporter_source_up{source}`: 0 when Kafka, HDFS, HBase or Airflow did not answer this scrape (its
  series are then missing, not stale).

Everything but Airflow's StatsD counts is read at scrape time (every 15 s): those live in the process and start again
at 0 when it restarts (a counter reset to Prometheus).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.core import REGISTRY, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from activity_clients.airflow import COMPONENTS as AIRFLOW_COMPONENTS
from activity_clients.airflow import health_report, heartbeat_ages
from activity_clients.archive_checkpoint import archive_offsets
from activity_clients.hbase import connect as hbase_connect
from activity_clients.nimbus import worker_slots
from activity_clients.webhdfs import WebHdfs
from activity_contract.metrics import (
    AIRFLOW_STATSD_PORT,
    PIPELINE_EXPORTER_PORT,
    STORM_WORKER_METRICS_OFFSET,
    STORM_WORKERS_SD_PATH,
    batch_on,
)
from activity_contract.names import ARCHIVE_CONSUMER, SPEED_CONSUMER_GROUP, TOPIC_EVENTS
from monitoring.speed_latency import QUANTILES, latency_samples, quantile, read_session_cells
from monitoring.statsd_receiver import StatsdCollector, StatsdTotals, serve_udp

log = logging.getLogger("pipeline-exporter")
HEALTH_PATH = "/healthz"


def lag(end: dict[int, int], done: dict[int, int]) -> dict[int, int]:
    """Messages not yet consumed per partition; a partition never consumed lags by all it holds."""
    return {p: max(0, end[p] - done.get(p, 0)) for p in end}


class PipelineCollector(Collector):
    def __init__(
        self,
        bootstrap: str,
        hdfs: WebHdfs,
        nimbus: tuple[str, int],
        hbase: tuple[str, int],
        airflow: str | None = None,
    ):
        self.bootstrap, self.hdfs, self.nimbus, self.hbase, self.airflow = bootstrap, hdfs, nimbus, hbase, airflow
        self._admin = None
        self._hbase = None
        self._lock = threading.Lock()  # scrapes may overlap; the Kafka clients are not shared between threads

    def _kafka(self):
        if self._admin is None:
            from kafka import KafkaAdminClient

            # A short timeout: a scrape answers within Prometheus' 10 s even with Kafka away.
            self._admin = KafkaAdminClient(
                bootstrap_servers=self.bootstrap,
                client_id="pipeline-exporter",
                request_timeout_ms=3000,
                bootstrap_timeout_ms=3000,
            )
        return self._admin

    def _end_offsets(self) -> dict[int, int]:
        from kafka import TopicPartition
        from kafka.admin import OffsetSpec

        admin = self._kafka()
        partitions = [p["partition_index"] for p in admin.describe_topics([TOPIC_EVENTS])[0]["partitions"]]
        latest = admin.list_partition_offsets({TopicPartition(TOPIC_EVENTS, p): OffsetSpec.LATEST for p in partitions})
        return {tp.partition: o.offset for tp, o in latest.items()}

    def _spout_offsets(self) -> dict[int, int]:
        committed = self._kafka().list_group_offsets(SPEED_CONSUMER_GROUP).get(SPEED_CONSUMER_GROUP, {})
        return {tp.partition: meta.offset for tp, meta in committed.items() if tp.topic == TOPIC_EVENTS}

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            yield from list(self._collect())

    def _collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "activitylab_exporter_source_up", "1 when the source answered this scrape", labels=["source"]
        )
        lag_family = GaugeMetricFamily(
            "activitylab_consumer_lag",
            "messages of the topic not yet consumed, per consumer and partition",
            labels=["consumer", "topic", "partition"],
        )
        offset_family = GaugeMetricFamily(
            "activitylab_consumer_offset",
            "the next offset the consumer will read, per partition",
            labels=["consumer", "topic", "partition"],
        )
        consumers: dict[str, dict[int, int]] = {}
        end: dict[int, int] | None = None
        try:
            end = self._end_offsets()
            consumers[SPEED_CONSUMER_GROUP] = self._spout_offsets()
            up.add_metric(["kafka"], 1)
        except Exception as exc:  # a scrape reports what it can
            log.warning("kafka: %s", exc)
            self._admin = None  # connect afresh at the next scrape
            up.add_metric(["kafka"], 0)
        try:
            archived = archive_offsets(self.hdfs)
            consumers[ARCHIVE_CONSUMER] = (archived or {}).get(TOPIC_EVENTS, {})
            up.add_metric(["hdfs"], 1)
        except Exception as exc:
            log.warning("hdfs: %s", exc)
            up.add_metric(["hdfs"], 0)
        if end is not None:
            for consumer, done in consumers.items():
                for partition, behind in lag(end, done).items():
                    labels = [consumer, TOPIC_EVENTS, str(partition)]
                    lag_family.add_metric(labels, behind)
                    offset_family.add_metric(labels, done.get(partition, 0))
        yield lag_family
        yield offset_family
        yield from self._speed_latency(up)
        yield from self._airflow(up)
        yield up

    def _speed_latency(self, up: GaugeMetricFamily) -> Iterator[Metric]:
        try:
            if self._hbase is None:
                self._hbase = hbase_connect(*self.hbase, timeout_ms=3000)
            cells = read_session_cells(self._hbase)
            up.add_metric(["hbase"], 1)
        except Exception as exc:
            log.warning("hbase: %s", exc)
            self._hbase = None  # connect afresh at the next scrape
            up.add_metric(["hbase"], 0)
            return
        yield from speed_latency_families(latency_samples(cells, int(time.time() * 1000)))

    def _airflow(self, up: GaugeMetricFamily) -> Iterator[Metric]:
        if not self.airflow:
            return
        try:
            body = health_report(self.airflow, timeout_s=3)
            up.add_metric(["airflow"], 1)
        except Exception as exc:
            log.warning("airflow: %s", exc)
            up.add_metric(["airflow"], 0)
            return
        yield from airflow_families(body, datetime.now(UTC))


def speed_latency_families(samples: list[float]) -> Iterator[Metric]:
    """The quantiles (none without samples: no writes is not zero latency) and how many samples they are over."""
    latency = GaugeMetricFamily(
        "activitylab_speed_latency_seconds",
        "event time to its user row's write in HBase, over the users written in the last minute",
        labels=["quantile"],
    )
    ordered = sorted(samples)
    if ordered:
        for q in QUANTILES:
            latency.add_metric([f"{q:g}"], quantile(ordered, q))
    yield latency
    yield GaugeMetricFamily(
        "activitylab_speed_latency_samples",
        "user rows written in the last minute: the samples of activitylab_speed_latency_seconds",
        value=len(ordered),
    )


def airflow_families(body: dict[str, dict], now: datetime) -> Iterator[Metric]:
    healthy = GaugeMetricFamily(
        "activitylab_airflow_healthy", "1 when Airflow's health API says the component is healthy", labels=["component"]
    )
    for component in AIRFLOW_COMPONENTS:
        healthy.add_metric([component], 1.0 if (body.get(component) or {}).get("status") == "healthy" else 0.0)
    yield healthy
    age = GaugeMetricFamily(
        "activitylab_airflow_heartbeat_age_seconds",
        "seconds since the component's last heartbeat",
        labels=["component"],
    )
    for component, seconds in heartbeat_ages(body, now).items():
        age.add_metric([component], seconds)
    yield age


def storm_worker_targets(slots: list[tuple[str, int]]) -> list[dict]:
    """Prometheus' HTTP service discovery answer: each worker's JMX exporter agent, on its supervisor."""
    return [
        {"targets": [f"{host}:{slot + STORM_WORKER_METRICS_OFFSET}"], "labels": {"slot": str(slot)}}
        for host, slot in slots
    ]


def app(nimbus: tuple[str, int]) -> Callable:
    """/metrics, /healthz, and the Storm workers' targets at STORM_WORKERS_SD_PATH (a 503 when Nimbus does not answer:
    Prometheus keeps the last list it had until a refresh succeeds)."""
    metrics = make_wsgi_app()

    def route(environ, start_response):
        if environ.get("PATH_INFO") == HEALTH_PATH:  # the container's probe: serving, without a scrape's reads
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        if environ.get("PATH_INFO") != STORM_WORKERS_SD_PATH:
            return metrics(environ, start_response)
        try:
            body = json.dumps(storm_worker_targets(worker_slots(*nimbus))).encode()
            status = "200 OK"
        except Exception as exc:
            log.warning("nimbus (workers): %s", exc)
            body, status = str(exc).encode(), "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json")])
        return [body]

    return route


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    collector = PipelineCollector(
        bootstrap=os.environ.get("KAFKA_BOOTSTRAP", "kafka:29092"),
        hdfs=WebHdfs(os.environ.get("WEBHDFS_URL", "http://httpfs:14000/webhdfs/v1"), timeout_s=3),
        nimbus=(os.environ.get("NIMBUS_HOST", "nimbus"), int(os.environ.get("NIMBUS_PORT", "6627"))),
        hbase=(os.environ.get("HBASE_THRIFT_HOST", "hbase-thrift"), int(os.environ.get("HBASE_THRIFT_PORT", "9090"))),
        # Airflow runs with the batch profile only
        airflow=os.environ.get("AIRFLOW_URL") if batch_on(os.environ.get("LAB_PROFILES", "")) else None,
    )
    REGISTRY.register(collector)
    statsd = StatsdTotals()
    REGISTRY.register(StatsdCollector(statsd))
    serve_udp(statsd, AIRFLOW_STATSD_PORT)
    server = make_server("", PIPELINE_EXPORTER_PORT, app(collector.nimbus), ThreadingWSGIServer, handler_class=_Quiet)
    log.info(
        "serving :%d/metrics (consumer lag, the speed layer's latency, Airflow's health and StatsD lines, received "
        "on :%d/udp) and %s (the Storm workers)",
        PIPELINE_EXPORTER_PORT,
        AIRFLOW_STATSD_PORT,
        STORM_WORKERS_SD_PATH,
    )
    server.serve_forever()


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - a request every 15 s is not news
        pass


if __name__ == "__main__":
    main()
