"""The lab's services as users meet them: what each is, where it answers from the host."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    role: str
    url: str = ""          # what a user opens or points a client at, from the host
    oneshot: bool = False  # an init job: done when it exited 0


SERVICES = [
    Service("zookeeper", "coordination (HBase, Storm)"),
    Service("kafka", "event log, KRaft", "kafka://localhost:9092"),
    Service("kafka-init", "creates the lab's topics", oneshot=True),
    Service("namenode", "HDFS NameNode", "http://localhost:9870"),
    Service("datanode", "HDFS DataNode (scalable)"),
    Service("hdfs-init", "creates the lab's HDFS folders", oneshot=True),
    Service("httpfs", "WebHDFS API for the host", "http://localhost:14000/webhdfs/v1/?op=LISTSTATUS&user.name=root"),
    Service("resourcemanager", "YARN ResourceManager", "http://localhost:8088"),
    Service("nodemanager", "YARN NodeManager (scalable)"),
    Service("historyserver", "MapReduce JobHistory", "http://localhost:19888"),
    Service("hive-metastore", "Hive metastore (PostgreSQL `metastore`)"),
    Service("hiveserver2", "HiveServer2: beeline, PyHive, JDBC", "jdbc:hive2://localhost:10000/activity"),
    Service("hive-init", "creates Hive database activity", oneshot=True),
    Service("spark-init", "puts Spark's jars on HDFS (spark.yarn.archive), the event log folder", oneshot=True),
    Service("spark-history", "Spark History Server", "http://localhost:18080"),
    Service("edge", "edge node: every client (hdfs, beeline, spark-submit, pig, sqoop, mahout, kafka-*)", "lab shell"),
    Service("airflow-init", "migrates Airflow's metadata database", oneshot=True),
    Service("airflow-api-server", "Airflow UI and REST API (user admin)", "http://localhost:8080"),
    Service("airflow-scheduler", "Airflow scheduler (LocalExecutor: tasks run here)"),
    Service("airflow-dag-processor", "Airflow DAG processor (dags/)"),
    Service("airflow-triggerer", "Airflow triggerer"),
    Service("hbase-master", "HBase Master", "http://localhost:16010"),
    Service("hbase-regionserver", "HBase RegionServer (scalable)"),
    Service("hbase-init", "creates namespace activity and its tables", oneshot=True),
    Service("hbase-thrift", "HBase Thrift 1 (HappyBase)", "thrift://localhost:9090"),
    Service("nimbus", "Storm Nimbus (Thrift API; no Storm UI exists)", "thrift://localhost:6627"),
    Service("supervisor", "Storm Supervisor (scalable)"),
    Service("storm-deploy", "submits the speed layer topology when absent or changed", oneshot=True),
    Service("flume", "Flume agent: site logs -> HDFS /logs", "http://localhost:41414/metrics"),
    Service("shop", "site: shop (e-commerce) + 10 simulated users", "http://localhost:5001"),
    Service("news", "site: news (media) + 10 simulated users", "http://localhost:5002"),
    Service("learn", "site: learn (courses) + 10 simulated users", "http://localhost:5003"),
    Service("dashboard", "Streamlit dashboard: live views", "http://localhost:8501"),
    Service("postgres", "PostgreSQL (Hive metastore, Airflow)"),
    Service("mariadb", "MariaDB (user profiles)", "mysql://localhost:3306/activity"),
]

BY_NAME = {s.name: s for s in SERVICES}
