"""The lab's services as users meet them: what each is, where it answers from the host (.env's LAB_BIND and
ports, activity_clients/endpoints.py)."""

from dataclasses import dataclass

from activity_clients.endpoints import address, url
from activity_contract import names


@dataclass(frozen=True)
class Service:
    name: str
    role: str
    url: str = ""  # what a user opens or points a client at, from the host
    oneshot: bool = False  # an init job: done when it exited 0


SERVICES = [
    Service("zookeeper", "coordination (HBase, Storm)"),
    Service("kafka", "event log, KRaft", url("kafka", scheme="kafka")),
    Service("kafka-init", "creates the lab's topics", oneshot=True),
    Service("namenode", "HDFS NameNode", url("namenode")),
    Service("datanode", "HDFS DataNode (scalable)"),
    Service("hdfs-init", "creates the lab's HDFS folders", oneshot=True),
    Service("httpfs", "WebHDFS API for the host", url("httpfs", "/webhdfs/v1/?op=LISTSTATUS&user.name=root")),
    Service("resourcemanager", "YARN ResourceManager", url("resourcemanager")),
    Service("nodemanager", "YARN NodeManager (scalable)"),
    Service("historyserver", "MapReduce JobHistory", url("historyserver")),
    Service("hive-metastore", "Hive metastore (PostgreSQL `metastore`)"),
    Service("hiveserver2", "HiveServer2: beeline, PyHive, JDBC", f"jdbc:hive2://{address('hiveserver2')}/activity"),
    Service("hive-init", "creates Hive database activity and its tables (hive/ddl)", oneshot=True),
    Service("spark-init", "puts Spark's jars on HDFS (spark.yarn.archive), the event log folder", oneshot=True),
    Service("spark-history", "Spark History Server", url("spark-history")),
    Service("spark-streaming", "cold archive: Kafka -> HDFS Parquet, Hive events (Spark UI)", url("spark-streaming")),
    Service("edge", "edge node: every client (hdfs, beeline, spark-submit, pig, sqoop, mahout, kafka-*)", "lab shell"),
    Service("airflow-init", "migrates Airflow's metadata database", oneshot=True),
    Service("airflow-api-server", "Airflow UI and REST API (user admin)", url("airflow-api-server")),
    Service("airflow-scheduler", "Airflow scheduler (LocalExecutor: tasks run here)"),
    Service("airflow-dag-processor", "Airflow DAG processor (dags/)"),
    Service("airflow-triggerer", "Airflow triggerer"),
    Service("hbase-master", "HBase Master", url("hbase-master")),
    Service("hbase-regionserver", "HBase RegionServer (scalable)"),
    Service("hbase-init", "creates namespace activity and its tables", oneshot=True),
    Service("hbase-thrift", "HBase Thrift 1 (HappyBase)", url("hbase-thrift", scheme="thrift")),
    Service("nimbus", "Storm Nimbus (Thrift API; no Storm UI exists)", url("nimbus", scheme="thrift")),
    Service("supervisor", "Storm Supervisor (scalable)"),
    Service("storm-deploy", "submits the speed layer topology when absent or changed", oneshot=True),
    Service("flume", "Flume agent: site logs -> HDFS /logs", url("flume", "/metrics")),
    Service(names.SHOP, "site: shop (e-commerce) + 10 simulated users", url(names.SHOP)),
    Service(names.NEWS, "site: news (media) + 10 simulated users", url(names.NEWS)),
    Service(names.LEARN, "site: learn (courses) + 10 simulated users", url(names.LEARN)),
    Service("dashboard", "Streamlit dashboard: live views", url("dashboard")),
    Service("postgres", "PostgreSQL (Hive metastore, Airflow)"),
    Service("mariadb", "MariaDB (user profiles)", url("mariadb", "/activity", scheme="mysql")),
    Service("prometheus", "Prometheus: every component's metrics, the alert rules (monitoring/)", url("prometheus")),
    Service("pipeline-exporter", "consumer lag per partition, the speed layer's latency, for Prometheus"),
]

BY_NAME = {s.name: s for s in SERVICES}
