"""The Cluster page's figures, from Prometheus' HTTP API (dashboard/cluster.py draws them; monitoring/README.md).

Pure where it can be: the PromQL of each figure, the pipeline map's edges and their health, the services' table.
The reads go through activity_clients.prometheus (one instant query per figure, at each refresh).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from activity_contract.names import APPS, ARCHIVE_CONSUMER, SPEED_CONSUMER_GROUP, TOPIC_EVENTS

RATE = "1m"  # rates over the last minute: four scrapes
LAG_ALERT = "ConsumerLagGrowing"  # a hop is "behind" while this alert fires for its consumer (monitoring/alerts.yml)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    unit: str  # what flows: "events/s", "lines/s"
    rate: str  # PromQL: the flow now
    up_jobs: tuple[str, ...] = ()  # the edge is broken when one of these jobs has no target up
    backlog: str = ""  # PromQL: what waits at the edge's queue (a consumer's lag, Flume's channel)
    backlog_unit: str = ""
    consumer: str = ""  # the Kafka consumer of the hop, whose lag alert makes it "behind"
    latency: str = ""  # PromQL: seconds from an event's time to the hop's write (its 95th percentile)


# monitoring/speed_latency.py: event time -> the user's row written in HBase, over the last minute's writes
SPEED_LATENCY_P95 = 'max(activitylab_speed_latency_seconds{quantile="0.95"})'


def _zero_when_reported(query: str, family: str) -> str:
    """The query, or 0 while the family reports other series (a counter of failures appears with the first one):
    "none" rather than "no data", which stays for a component that reports nothing at all."""
    return f"({query}) or on() (0 * count({family}))"


def _lag(consumer: str) -> str:
    return f'sum(activitylab_consumer_lag{{consumer="{consumer}", topic="{TOPIC_EVENTS}"}})'


# The hops of the pipeline, as the data flows (docs/architecture.md). Node names are the page's.
EDGES = (
    Edge(
        "sites",
        "Kafka",
        "events/s",
        f'sum(rate(kafka_server_messagesin_total{{topic="{TOPIC_EVENTS}"}}[{RATE}]))',  # as the broker counts them
        (*APPS, "kafka"),
    ),
    Edge(
        "Kafka",
        "Storm",
        "events/s",
        f'sum(rate(storm_worker_tuples_total{{component="events", counter="emit"}}[{RATE}]))',  # the spout's reads
        ("kafka", "storm-worker", "pipeline"),
        _lag(SPEED_CONSUMER_GROUP),
        "behind",
        SPEED_CONSUMER_GROUP,
    ),
    Edge(
        "Storm",
        "HBase",
        "updates/s",
        f'sum(rate(storm_worker_tuples_total{{component="counters", counter="execute"}}[{RATE}]))',  # a counter each
        ("storm-worker", "hbase-regionserver"),
        latency=SPEED_LATENCY_P95,
    ),
    Edge(
        "HBase",
        "dashboard",
        "reads/s",
        f'sum(rate(server_read_request_count{{job="hbase-regionserver"}}[{RATE}]))',
        ("hbase-regionserver", "hbase-thrift"),
    ),
    Edge(
        "Kafka",
        "Spark archive",
        "events/s",
        f'sum(rate(activitylab_consumer_offset{{consumer="{ARCHIVE_CONSUMER}"}}[5m]))',  # a batch a minute
        ("kafka", "spark-streaming"),
        _lag(ARCHIVE_CONSUMER),
        "behind",  # climbs between its micro-batches (STREAM_TRIGGER_S), falls at each
        ARCHIVE_CONSUMER,
    ),
    Edge(
        "Spark archive",
        "HDFS",
        "rows/s",
        "sum(metrics_archive_driver_spark_streaming_archive_processingRate_total_Value)",
        ("spark-streaming", "namenode", "datanode"),
    ),
    Edge(
        "site logs",
        "Flume",
        "lines/s",
        f"sum(rate(flume_source_eventacceptedcount_total[{RATE}]))",
        ("flume",),
        "sum(flume_channel_channelsize)",
        "in its channel",
    ),
    Edge(
        "Flume",
        "HDFS",
        "lines/s",
        f"sum(rate(flume_sink_eventdrainsuccesscount_total[{RATE}]))",
        ("flume", "namenode", "datanode"),
    ),
    Edge("HDFS", "Hive", "", "", ("namenode", "hive-metastore", "hiveserver2")),  # read by the batch layer, daily
)


@dataclass(frozen=True)
class EdgeState:
    edge: Edge
    rate: float | None  # None: no data (the series does not exist yet)
    backlog: float | None
    broken: tuple[str, ...]  # jobs of the edge with no target up
    lagging: bool = False  # the lag alert fires for the hop's consumer
    latency: float | None = None

    @property
    def health(self) -> str:
        """Down (a job of the hop has no target up), behind (its consumer's lag alert fires), or ok."""
        if self.broken:
            return "down"
        return "behind" if self.lagging else "ok"

    @property
    def label(self) -> str:
        parts = []
        if self.edge.unit:
            parts.append(f"{self.rate:.1f} {self.edge.unit}" if self.rate is not None else f"? {self.edge.unit}")
        if self.edge.backlog:
            backlog = f"{self.backlog:.0f}" if self.backlog is not None else "?"
            parts.append(f"{backlog} {self.edge.backlog_unit}")
        if self.edge.latency:
            parts.append(f"p95 {self.latency:.2f} s" if self.latency is not None else "p95 ? s")
        if self.broken:
            parts.append("down: " + ", ".join(self.broken))
        return "\n".join(parts) or "daily (batch)"


COLOURS = {"ok": "#2e7d32", "behind": "#ef6c00", "down": "#c62828"}


def edge_states(
    value: Callable[[str], float | None], jobs_up: dict[str, bool], firing: Sequence[dict] = ()
) -> list[EdgeState]:
    """Each edge's rate, backlog, broken jobs and lag alert; `value` runs a PromQL query, `jobs_up` says which jobs
    have a target up (a job absent from it, e.g. the batch profile's in a light lab, is not counted as down),
    `firing` lists the alerts firing."""
    lagging = {a["labels"].get("consumer") for a in firing if a["labels"].get("alertname") == LAG_ALERT}
    return [
        EdgeState(
            e,
            value(e.rate) if e.rate else None,
            value(e.backlog) if e.backlog else None,
            tuple(j for j in e.up_jobs if jobs_up.get(j) is False),
            bool(e.consumer) and e.consumer in lagging,
            value(e.latency) if e.latency else None,
        )
        for e in EDGES
    ]


def pipeline_dot(states: list[EdgeState]) -> str:
    """The pipeline map as Graphviz DOT: each hop an edge labelled with its rate and backlog, coloured by health."""
    lines = [
        "digraph pipeline {",
        '  rankdir=LR; bgcolor="transparent";',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef2f7", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for s in states:
        style = ', style="dashed"' if not s.edge.unit else ""
        colour = COLOURS[s.health]
        label = s.label.replace('"', "'").replace("\n", "\\n")
        lines.append(
            f'  "{s.edge.source}" -> "{s.edge.target}" '
            f'[label="{label}", color="{colour}", fontcolor="{colour}", penwidth=2{style}];'
        )
    lines.append("}")
    return "\n".join(lines)


def hops_html(states: list[EdgeState]) -> str:
    """The map's hops as a table, each row with its figures as data attributes (what the end-to-end test reads)."""

    def number(v: float | None) -> str:
        return "" if v is None else f"{v:.3f}"

    rows = "".join(
        f'<tr data-testid="cluster-hop" data-source="{escape(s.edge.source)}" data-target="{escape(s.edge.target)}" '
        f'data-rate="{number(s.rate)}" data-backlog="{number(s.backlog)}" data-latency="{number(s.latency)}" '
        f'data-health="{s.health}">'
        f"<td>{escape(s.edge.source)} → {escape(s.edge.target)}</td>"
        f'<td style="color:{COLOURS[s.health]}">{s.health}</td>'
        f"<td>{escape(s.label).replace(chr(10), ' · ')}</td></tr>"
        for s in states
    )
    return f'<table style="width:100%"><tr><th>hop</th><th>health</th><th>now</th></tr>{rows}</table>'


# ---- the figures of the cluster's parts: (title, PromQL, unit)
FIGURES = {
    "HDFS": [
        ("live DataNodes", 'max(fs_namesystem_num_live_data_nodes{job="namenode"})', ""),
        ("dead DataNodes", 'max(fs_namesystem_num_dead_data_nodes{job="namenode"})', ""),
        ("under-replicated blocks", 'max(fs_namesystem_under_replicated_blocks{job="namenode"})', ""),
        ("missing blocks", 'max(fs_namesystem_missing_blocks{job="namenode"})', ""),
        ("capacity used", 'max(fs_namesystem_capacity_used{job="namenode"})', "bytes"),
        ("capacity remaining", 'max(fs_namesystem_capacity_remaining{job="namenode"})', "bytes"),
    ],
    "YARN": [
        ("active NodeManagers", 'max(cluster_metrics_num_active_n_ms{job="resourcemanager"})', ""),
        ("running applications", 'max(queue_metrics_apps_running{job="resourcemanager", queue="root"})', ""),
        ("containers", 'max(queue_metrics_allocated_containers{job="resourcemanager", queue="root"})', ""),
        ("memory in use", 'max(queue_metrics_allocated_mb{job="resourcemanager", queue="root"}) * 1048576', "bytes"),
    ],
    "Kafka": [
        ("messages in", f'sum(rate(kafka_server_messagesin_total{{topic="{TOPIC_EVENTS}"}}[{RATE}]))', "/s"),
        ("under-replicated partitions", "sum(kafka_server_underreplicatedpartitions)", ""),
        ("speed layer's lag", _lag(SPEED_CONSUMER_GROUP), ""),
        ("archive's lag", _lag(ARCHIVE_CONSUMER), ""),
    ],
    "Storm": [
        ("tuples executed", f'sum(rate(storm_worker_tuples_total{{counter="execute"}}[{RATE}]))', "/s"),
        (
            "tuples failed",
            _zero_when_reported(
                f'sum(rate(storm_worker_tuples_total{{counter="fail"}}[{RATE}]))', "storm_worker_tuples_total"
            ),
            "/s",
        ),
        ("event to HBase p50", 'max(activitylab_speed_latency_seconds{quantile="0.5"})', "s"),
        ("event to HBase p95", SPEED_LATENCY_P95, "s"),
        ("event to HBase max", 'max(activitylab_speed_latency_seconds{quantile="1"})', "s"),
    ],
    "HBase": [
        ("requests", f'sum(rate(server_total_request_count{{job="hbase-regionserver"}}[{RATE}]))', "/s"),
        ("regions", 'sum(server_region_count{job="hbase-regionserver"})', ""),
    ],
    "Airflow": [  # with the batch profile (the pipeline exporter reads its health API and receives its StatsD lines)
        ("components healthy", "sum(activitylab_airflow_healthy)", ""),
        ("scheduler heartbeat", 'max(activitylab_airflow_heartbeat_age_seconds{component="scheduler"})', "s ago"),
        ("tasks succeeded", 'sum(airflow_ti_finish_total{state="success"})', ""),  # since the exporter started
        (
            "tasks failed",
            _zero_when_reported('sum(airflow_ti_finish_total{state="failed"})', "airflow_ti_finish_total"),
            "",
        ),
    ],
}


def figures_html(figures: dict[str, list[tuple[str, float | None, str]]], firing: list[dict]) -> str:
    """A hidden element carrying every figure shown (data-FIGURE, e.g. data-live-datanodes), the alerts firing and
    the consumers whose lag alert fires (data-lagging)."""
    attrs = " ".join(
        f'data-{title.lower().replace(" ", "-").replace(chr(39), "")}="{"" if value is None else f"{value:g}"}"'
        for rows in figures.values()
        for title, value, _ in rows
    )
    names = ",".join(sorted(escape(a["labels"].get("alertname", "?")) for a in firing))
    lagging = ",".join(
        sorted({escape(a["labels"].get("consumer", "?")) for a in firing if a["labels"].get("alertname") == LAG_ALERT})
    )
    return (
        f'<div data-testid="cluster-figures" {attrs} data-firing="{names}" data-lagging="{lagging}" '
        'style="display:none"></div>'
    )


def human(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "bytes":
        for suffix in ("B", "KiB", "MiB", "GiB", "TiB"):
            if abs(value) < 1024 or suffix == "TiB":
                return f"{value:.0f} {suffix}" if suffix == "B" else f"{value:.1f} {suffix}"
            value /= 1024
    if unit == "/s":
        return f"{value:.1f}/s"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "s ago":
        return f"{value:.0f} s ago"
    return f"{value:.0f}"


# ---- per service: up, restarts, heap, GC (recording rules of monitoring/recording.yml name them alike)
SERVICE_QUERIES = {
    "up": "up",
    "restarts_1h": "activitylab:restarts:1h",
    "heap_used": "activitylab:jvm_heap_used_bytes",
    "heap_max": "activitylab:jvm_heap_max_bytes",
    "gc": "activitylab:jvm_gc_seconds:rate5m",
    "rss": "process_resident_memory_bytes",
}


def service_rows(results: dict[str, list[dict]]) -> list[dict]:
    """One row per scrape target (job, instance), with what the queries above give for it."""
    rows: dict[tuple[str, str], dict] = {}
    for key, series in results.items():
        for s in series:
            job, instance = s["metric"].get("job", "?"), s["metric"].get("instance", "?")
            row = rows.setdefault((job, instance), {"job": job, "instance": instance})
            row[key] = float(s["value"][1])
    return [rows[k] for k in sorted(rows) if "up" in rows[k]]
