"""What Prometheus scrapes: one job per component, where its metrics are served inside the lab's network.

The Prometheus configuration is generated from this list (monitoring/prometheus_config.py), and the end-to-end
test, `lab status` and the dashboard's Cluster page name the jobs through it. The job is the `job` label of every
series a component exports.

How each component serves them (monitoring/README.md): Hadoop's daemons their own `/prom` page, HBase its
`/prometheus` page, ZooKeeper its Prometheus metrics provider, the streaming archive's driver Spark's Prometheus
servlet, and the JVMs with no endpoint of their own (Kafka, Storm, Hive, Flume) the JMX exporter's Java agent on
JMX_EXPORTER_PORT (a Storm worker on its slot's port + STORM_WORKER_METRICS_OFFSET). The sites serve their own
(prometheus-client), and the pipeline exporter what no component reports itself: consumer lag, Airflow's health,
and where the Storm workers run.
"""

from __future__ import annotations

from dataclasses import dataclass

from activity_contract.names import APPS, SITE_PORTS

# The port the JMX exporter's agent serves on, in every container that runs it
JMX_EXPORTER_PORT = 9404
# monitoring/pipeline_exporter.py (its compose service): consumer lag per partition, where the Storm workers run
PIPELINE_EXPORTER = "pipeline-exporter"
PIPELINE_EXPORTER_PORT = 9400
# ... and where it receives Airflow's StatsD lines (UDP; compose.yaml's AIRFLOW__METRICS__STATSD_PORT)
AIRFLOW_STATSD_PORT = 9125
# Prometheus' own port, inside the lab's network (on the host: PROMETHEUS_PORT, names.HOST_PORTS)
PROMETHEUS_PORT = 9090
# A Storm worker's JMX exporter agent serves on its slot's port + this (6700 -> 16700: `1%WORKER-PORT%` in
# compose/conf/storm/storm.yaml); where the workers run, Nimbus knows, and the pipeline exporter tells Prometheus
STORM_WORKER_METRICS_OFFSET = 10000
STORM_WORKERS_SD_PATH = "/sd/storm-workers"


@dataclass(frozen=True)
class ScrapeJob:
    job: str  # Prometheus' `job` label
    service: str  # the compose service: its DNS name in the lab's network
    port: int
    path: str = "/metrics"
    scaled: bool = False  # a worker that scales out: every replica, found by DNS (a stopped one leaves the list)
    batch: bool = False  # runs with the `batch` profile only
    # targets listed by the pipeline exporter at this path (Prometheus' HTTP service discovery), not `service:port`
    discovered: str = ""


SCRAPE_JOBS = (
    ScrapeJob("prometheus", "prometheus", PROMETHEUS_PORT),
    ScrapeJob("pipeline", PIPELINE_EXPORTER, PIPELINE_EXPORTER_PORT),
    *(ScrapeJob(app, app, SITE_PORTS[app]) for app in APPS),  # the sites' own /metrics (producers/metrics.py)
    ScrapeJob("zookeeper", "zookeeper", 7000),
    ScrapeJob("kafka", "kafka", JMX_EXPORTER_PORT),
    ScrapeJob("nimbus", "nimbus", JMX_EXPORTER_PORT),
    ScrapeJob("supervisor", "supervisor", JMX_EXPORTER_PORT, scaled=True),
    # the topology's workers, each on the supervisor Nimbus placed it on: its tuples per component, its JVM
    ScrapeJob("storm-worker", "supervisor", 0, scaled=True, discovered=STORM_WORKERS_SD_PATH),
    ScrapeJob("hbase-master", "hbase-master", 16010, "/prometheus"),
    ScrapeJob("hbase-regionserver", "hbase-regionserver", 16030, "/prometheus", scaled=True),
    ScrapeJob("hbase-thrift", "hbase-thrift", 9095, "/prometheus"),
    ScrapeJob("flume", "flume", JMX_EXPORTER_PORT),
    ScrapeJob("namenode", "namenode", 9870, "/prom"),
    ScrapeJob("datanode", "datanode", 9864, "/prom", scaled=True),
    ScrapeJob("httpfs", "httpfs", JMX_EXPORTER_PORT),
    ScrapeJob("resourcemanager", "resourcemanager", 8088, "/prom"),
    ScrapeJob("nodemanager", "nodemanager", 8042, "/prom", scaled=True),
    ScrapeJob("historyserver", "historyserver", 19888, "/prom"),
    ScrapeJob("spark-streaming", "spark-streaming", 4040, "/metrics/prometheus", batch=True),
    ScrapeJob("hive-metastore", "hive-metastore", JMX_EXPORTER_PORT, batch=True),
    ScrapeJob("hiveserver2", "hiveserver2", JMX_EXPORTER_PORT, batch=True),
)


BATCH_PROFILE = "batch"  # compose.yaml's profile of the batch engines (Hive, Spark, Airflow, the edge node)


def batch_on(profiles: str) -> bool:
    """Whether compose runs the batch profile, from COMPOSE_PROFILES' value (comma-separated)."""
    return BATCH_PROFILE in [p.strip() for p in profiles.split(",")]


def scrape_jobs(batch: bool) -> tuple[ScrapeJob, ...]:
    """The jobs of a lab with (batch=True) or without the batch profile's services."""
    return tuple(j for j in SCRAPE_JOBS if batch or not j.batch)
