"""The metrics stack on the running lab (monitoring/): Prometheus scrapes every component of the contract's list,
each by name, and what it reads is what the components themselves say."""

from __future__ import annotations

import os
import subprocess
import time

import requests
from conftest import ROOT, compose
from kafka import KafkaAdminClient, TopicPartition

from activity_clients import endpoints
from activity_clients.airflow import COMPONENTS as AIRFLOW_COMPONENTS
from activity_clients.nimbus import worker_slots
from activity_clients.prometheus import Prometheus
from activity_contract.metrics import STORM_WORKER_METRICS_OFFSET, scrape_jobs
from activity_contract.names import APPS, ARCHIVE_CONSUMER, SPEED_CONSUMER_GROUP, TOPIC_EVENTS

LAB = os.path.join(ROOT, ".venv", "bin", "lab")
# Prometheus scrapes every 15 s: a target that just came up is seen within one interval, plus its scrape's time.
SCRAPE_WAIT_S = 60


def targets_by_job(prometheus: Prometheus) -> dict[str, list[dict]]:
    by_job: dict[str, list[dict]] = {}
    for t in prometheus.targets():
        by_job.setdefault(t["labels"]["job"], []).append(t)
    return by_job


def test_every_component_is_scraped_and_up():
    prometheus = Prometheus()
    expected = {j.job for j in scrape_jobs(batch=True)}  # the e2e tests run the full lab
    deadline = time.monotonic() + SCRAPE_WAIT_S
    while True:
        by_job = targets_by_job(prometheus)
        missing = sorted(expected - set(by_job))
        down = sorted(
            f"{job} {t['labels']['instance']}: {t['health']} {t['lastError']}"
            for job, ts in by_job.items()
            for t in ts
            if t["health"] != "up"
        )
        if (not missing and not down) or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert not missing, f"no scrape target for: {', '.join(missing)}"
    assert not down, "targets not up:\n" + "\n".join(down)
    assert set(by_job) == expected  # nothing scraped that the contract does not name


def test_what_prometheus_reads_is_what_the_components_say():
    prometheus = Prometheus()
    running_datanodes = len(compose("ps", "-q", "datanode").stdout.split())
    assert prometheus.value('max(fs_namesystem_num_live_data_nodes{job="namenode"})') == running_datanodes
    assert prometheus.value('max(fs_namesystem_missing_blocks{job="namenode"})') == 0
    running_nodemanagers = len(compose("ps", "-q", "nodemanager").stdout.split())
    assert prometheus.value('max(cluster_metrics_num_active_n_ms{job="resourcemanager"})') == running_nodemanagers
    assert prometheus.value('max(kafka_controller_activecontrollercount{job="kafka"})') == 1
    # the broker's end offsets of the events topic: a partition each, as kafka-init created them
    offsets = prometheus.query(f'kafka_log_end_offset{{job="kafka", topic="{TOPIC_EVENTS}"}}')
    assert sorted(int(r["metric"]["partition"]) for r in offsets) == [0, 1, 2]
    assert sum(float(r["value"][1]) for r in offsets) > 0
    # the RegionServer serves the speed layer's tables: requests counted
    assert prometheus.value('sum(server_total_request_count{job="hbase-regionserver"})') > 0
    # every JVM reports its heap, under one name whichever way its family spells it (monitoring/recording.yml)
    not_jvms = {"prometheus", "pipeline", *APPS}
    jvms = {j.job for j in scrape_jobs(batch=True)} - not_jvms
    deadline = time.monotonic() + SCRAPE_WAIT_S  # recorded every 15 s
    while (heaps := {r["metric"]["job"] for r in prometheus.query("activitylab:jvm_heap_used_bytes")}) != jvms:
        assert time.monotonic() < deadline, f"no heap recorded for {sorted(jvms - heaps)}"
        time.sleep(3)
    # the ZooKeeper provider's own series
    assert prometheus.value('count({job="zookeeper", __name__=~"znode_count|num_alive_connections"})') >= 1
    # the archive's two queries, each with its rates (Spark's streaming query source)
    archive = prometheus.query(
        '{job="spark-streaming", __name__=~"metrics_archive_driver_spark_streaming_.*_inputRate_total_Value"}'
    )
    assert len(archive) == 2


def test_the_ui_answers_on_the_published_port_and_status_reports_the_targets():
    r = requests.get(endpoints.url("prometheus", "/-/ready"), timeout=10)
    assert r.status_code == 200 and "Ready" in r.text
    assert endpoints.host_port("prometheus")[0] == "127.0.0.1"
    out = subprocess.run([LAB, "status"], cwd=ROOT, text=True, capture_output=True, timeout=300).stdout
    n = sum(len(ts) for ts in targets_by_job(Prometheus()).values())
    assert f"{n} of {n} scrape targets up" in out, out
    assert "alerts firing:" in out


def site_requests(app: str, status: str) -> float:
    """The site's own count of requests answered with `status`, from its /metrics."""
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(endpoints.url(app, "/metrics"), timeout=10).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "activitylab_site_requests_total" and s.labels["status"] == status:
                return s.value
    return 0.0


def test_a_sites_requests_reach_prometheus_counted_exactly():
    app = APPS[0]
    before = site_requests(app, "404")
    for i in range(7):
        r = requests.get(endpoints.url(app, f"/no-such-page-{i}"), headers={"X-Lab-Fault": "none"}, timeout=10)
        assert r.status_code == 404
    after = site_requests(app, "404")
    assert after - before == 7
    # Prometheus' next scrape of the site holds the same count (the simulated users are paused during the tests)
    prometheus, deadline = Prometheus(), time.monotonic() + SCRAPE_WAIT_S
    while (seen := prometheus.value(f'activitylab_site_requests_total{{job="{app}", status="404"}}')) != after:
        assert time.monotonic() < deadline, f"Prometheus has {seen} 404s of {app}, the site {after}"
        time.sleep(2)


def test_the_pipeline_exporter_reports_each_consumers_lag_and_the_speed_layers_tuples():
    prometheus = Prometheus()
    # five page views of our own: the spout acks them, each counted by the worker (its counts restart with it)
    acked = 'sum(storm_worker_tuples_total{component="events", counter="ack"})'
    acked_before = prometheus.value(acked) or 0
    for _ in range(5):
        assert requests.get(endpoints.url(APPS[1], "/"), headers={"X-Lab-Fault": "none"}, timeout=10).ok
    assert prometheus.value("min(activitylab_exporter_source_up)") == 1  # Kafka, HDFS and Airflow all answered
    for consumer in (SPEED_CONSUMER_GROUP, ARCHIVE_CONSUMER):
        partitions = prometheus.query(f'activitylab_consumer_lag{{consumer="{consumer}", topic="{TOPIC_EVENTS}"}}')
        assert sorted(int(r["metric"]["partition"]) for r in partitions) == [0, 1, 2], consumer
    # the spout keeps up: its committed offsets are within a few messages of the end (users paused)
    assert prometheus.value(f'sum(activitylab_consumer_lag{{consumer="{SPEED_CONSUMER_GROUP}"}})') < 50
    # the spout's offsets are those Kafka holds for its group
    committed = KafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap()).list_group_offsets(
        SPEED_CONSUMER_GROUP
    )[SPEED_CONSUMER_GROUP]
    offsets = prometheus.query(f'activitylab_consumer_offset{{consumer="{SPEED_CONSUMER_GROUP}"}}')
    for r in offsets:
        kafka_offset = committed[TopicPartition(TOPIC_EVENTS, int(r["metric"]["partition"]))].offset
        assert 0 <= kafka_offset - float(r["value"][1]) < 50  # Kafka's now, Prometheus' up to 15 s before
    deadline = time.monotonic() + SCRAPE_WAIT_S
    while (prometheus.value(acked) or 0) < acked_before + 5:
        assert time.monotonic() < deadline, f"the spout's acked tuples stay at {prometheus.value(acked)}"
        time.sleep(2)
    # Airflow's four components healthy (the full lab runs the batch profile)
    healthy = {r["metric"]["component"]: float(r["value"][1]) for r in prometheus.query("activitylab_airflow_healthy")}
    assert healthy == {c: 1.0 for c in AIRFLOW_COMPONENTS}
    assert prometheus.value('activitylab_airflow_heartbeat_age_seconds{component="scheduler"}') < 120
    bolts = {r["metric"]["component"] for r in prometheus.query('storm_worker_tuples_total{counter="execute"}')}
    assert bolts == {"parse", "counters", "users", "alerts"}
    # the worker is where Nimbus placed it: the pipeline exporter's list is what Prometheus scrapes
    slots = worker_slots()
    scraped = {t["labels"]["instance"] for t in prometheus.targets() if t["labels"]["job"] == "storm-worker"}
    assert len(slots) == 1 and scraped == {f"{host}:{port + STORM_WORKER_METRICS_OFFSET}" for host, port in slots}
