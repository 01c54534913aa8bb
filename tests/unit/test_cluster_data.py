"""The Cluster page's logic (dashboard/cluster_data.py): each hop's health from its jobs and its backlog, the map as
DOT, the figures as data attributes, one row per scrape target."""

from __future__ import annotations

import re

import pytest

from dashboard import cluster_data
from dashboard.cluster_data import EDGES, LAG_ALERT, edge_states, figures_html, hops_html, human, pipeline_dot

ALL_UP = {job: True for e in EDGES for job in e.up_jobs}


def values(overrides: dict[str, float] | None = None):
    """A stand-in for Prometheus.value: 2.0 for every rate, 3 for every backlog, unless overridden."""
    backlogs = {e.backlog for e in EDGES if e.backlog}
    return lambda q: (overrides or {}).get(q, 3.0 if q in backlogs else 2.0)


def by_hop(states):
    return {(s.edge.source, s.edge.target): s for s in states}


def test_every_hop_of_the_pipeline_is_on_the_map():
    hops = set(by_hop(edge_states(values(), ALL_UP)))
    assert {("sites", "Kafka"), ("Kafka", "Storm"), ("Storm", "HBase"), ("HBase", "dashboard")} <= hops
    assert {("Kafka", "Spark archive"), ("Spark archive", "HDFS"), ("HDFS", "Hive")} <= hops
    assert {("site logs", "Flume"), ("Flume", "HDFS")} <= hops


def test_health_ok_behind_and_down():
    spout = next(e for e in EDGES if e.target == "Storm")
    lag_alert = {"labels": {"alertname": LAG_ALERT, "consumer": spout.consumer}}
    other = {"labels": {"alertname": "TargetDown", "consumer": "stream-archive"}}
    states = by_hop(edge_states(values({spout.backlog: 5000}), {**ALL_UP, "flume": False}, [lag_alert, other]))
    assert states[("Kafka", "Storm")].health == "behind"
    assert states[("Kafka", "Spark archive")].health == "ok"  # its lag alert does not fire
    assert by_hop(edge_states(values({spout.backlog: 5000}), ALL_UP))[("Kafka", "Storm")].health == "ok"
    assert states[("site logs", "Flume")].health == "down" and states[("Flume", "HDFS")].health == "down"
    assert states[("Flume", "HDFS")].broken == ("flume",)
    assert states[("sites", "Kafka")].health == "ok"
    # a job Prometheus does not scrape at all (the light lab's Hive) is not a broken hop
    light = {job: up for job, up in ALL_UP.items() if job not in ("hive-metastore", "hiveserver2")}
    assert by_hop(edge_states(values(), light))[("HDFS", "Hive")].health == "ok"


def test_labels_say_the_rate_the_backlog_and_what_is_down():
    states = by_hop(edge_states(values(), {**ALL_UP, "kafka": False}))
    assert states[("Kafka", "Storm")].label == "2.0 events/s\n3 behind\ndown: kafka"
    assert states[("HDFS", "Hive")].label == "daily (batch)"
    missing = by_hop(edge_states(lambda q: None, ALL_UP))[("sites", "Kafka")]
    assert missing.label == "? events/s" and missing.health == "ok"
    # the speed layer's write into HBase with its event -> HBase latency (the pipeline exporter's 95th percentile)
    speed = by_hop(edge_states(values({cluster_data.SPEED_LATENCY_P95: 0.125}), ALL_UP))[("Storm", "HBase")]
    assert speed.label == "2.0 updates/s\np95 0.12 s" and speed.latency == 0.125
    assert by_hop(edge_states(lambda q: None, ALL_UP))[("Storm", "HBase")].label == "? updates/s\np95 ? s"


def test_the_map_is_dot_with_each_hop_coloured():
    dot = pipeline_dot(edge_states(values(), {**ALL_UP, "flume": False}))
    assert dot.startswith("digraph pipeline {") and dot.endswith("}")
    assert re.search(r'"sites" -> "Kafka" \[label="2.0 events/s", color="#2e7d32"', dot)
    assert re.search(r'"Flume" -> "HDFS" \[label="2.0 lines/s\\ndown: flume", color="#c62828"', dot)
    assert '"HDFS" -> "Hive" [label="daily (batch)"' in dot and 'style="dashed"' in dot


def test_hops_and_figures_carry_their_numbers_as_data_attributes():
    html = hops_html(edge_states(values(), ALL_UP))
    assert html.count('data-testid="cluster-hop"') == len(EDGES)
    assert 'data-source="sites" data-target="Kafka" data-rate="2.000" data-backlog="" data-latency="" ' in html
    assert 'data-target="HBase" data-rate="2.000" data-backlog="" data-latency="2.000" data-health="ok"' in html
    figures = {"HDFS": [("live DataNodes", 3.0, ""), ("capacity used", None, "bytes")]}
    lag = {"labels": {"alertname": LAG_ALERT, "consumer": "stream-archive"}}
    html = figures_html(
        figures, [{"labels": {"alertname": "TargetDown"}}, {"labels": {"alertname": "DataNodeDead"}}, lag]
    )
    assert 'data-live-datanodes="3"' in html and 'data-capacity-used=""' in html
    assert f'data-firing="{LAG_ALERT},DataNodeDead,TargetDown" data-lagging="stream-archive"' in html


def test_a_count_of_failures_says_0_while_its_family_reports():
    failed = {title: query for title, query, _ in cluster_data.FIGURES["Storm"]}["tuples failed"]
    assert failed.endswith(" or on() (0 * count(storm_worker_tuples_total))") and 'counter="fail"' in failed


def test_human_units():
    assert human(None, "") == "–"
    assert human(3, "") == "3"
    assert (
        human(1536, "bytes") == "1.5 KiB" and human(5 * 1024**3, "bytes") == "5.0 GiB" and human(12, "bytes") == "12 B"
    )
    assert human(2.345, "/s") == "2.3/s"
    assert human(12.4, "s ago") == "12 s ago"
    assert human(0.1234, "s") == "0.12 s"


def test_one_row_per_target_with_what_each_query_gave():
    series = lambda job, inst, v: {"metric": {"job": job, "instance": inst}, "value": [0, str(v)]}  # noqa: E731
    rows = cluster_data.service_rows(
        {
            "up": [series("kafka", "kafka:9404", 1), series("namenode", "namenode:9870", 0)],
            "heap_used": [series("kafka", "kafka:9404", 100), series("gone", "x:1", 5)],
        }
    )
    assert rows == [
        {"job": "kafka", "instance": "kafka:9404", "up": 1.0, "heap_used": 100.0},
        {"job": "namenode", "instance": "namenode:9870", "up": 0.0},
    ]


def test_the_ui_links_setting():
    from dashboard.settings import Settings, parse_links

    links = parse_links(
        "Prometheus=http://localhost:9191, HDFS NameNode=http://localhost:9870,\n Flume=http://x/metrics"
    )
    assert links == {
        "Prometheus": "http://localhost:9191",
        "HDFS NameNode": "http://localhost:9870",
        "Flume": "http://x/metrics",
    }
    assert Settings.from_env({"UI_LINKS": "", "PROMETHEUS_URL": "http://prometheus:9090"}).ui_links == {}
    with pytest.raises(ValueError, match="is not name=url"):
        parse_links("Prometheus")
