"""`lab smoke`: one quick, real check per component, printed for a person to read.

Each check does what a user would (write and read back, run a job, ask the daemon) and reports the
value it saw. Nothing is mocked; every check cleans up what it wrote.
"""

import os
import time
import uuid
from datetime import UTC

import requests

from activity_clients import endpoints
from activity_clients import hbase as lab_hbase
from activity_clients import hive as lab_hive
from activity_clients.checkout import read_env
from activity_contract import names

from . import webhdfs
from .compose import exec_in, zookeeper_mode
from .flume import metrics as flume_metrics
from .jmx import namenode_bean


def zookeeper():
    mode = zookeeper_mode()
    assert mode, "no Mode in the srvr answer"
    return f"srvr answers Mode: {mode}"


def kafka():
    from kafka import KafkaAdminClient, KafkaProducer

    from .topic_reader import read_all

    topic = f"lab-smoke-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap(), acks="all")
    for i in range(10):
        producer.send(topic, key=b"smoke", value=str(i).encode())
    producer.flush(30)
    producer.close()
    got = sorted(int(m.value) for m in read_all(topic, timeout=60))
    admin = KafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap())
    admin.delete_topics([topic])
    admin.close()
    assert got == list(range(10)), got
    return f"10 messages produced and consumed back on {endpoints.kafka_bootstrap()}"


def hdfs():
    payload, path = os.urandom(4096), f"/tmp/lab-smoke-{uuid.uuid4().hex[:8]}"
    webhdfs.put(path, payload)
    back = webhdfs.read(path)
    webhdfs.delete(path)
    assert back == payload, "read back differs"
    state = namenode_bean("FSNamesystemState")
    return f"4 KiB written and read back through HttpFS; {state['NumLiveDataNodes']} live DataNode(s)"


def yarn():
    nodes = requests.get(endpoints.url("resourcemanager", "/ws/v1/cluster/nodes"), timeout=10).json()["nodes"]["node"]
    running = [n for n in nodes if n["state"] == "RUNNING"]
    out = exec_in(
        "resourcemanager",
        "hadoop",
        "jar",
        "/opt/hadoop/lib/hadoop-mapreduce-examples-3.4.2.jar",
        "pi",
        "2",
        "100",
        timeout=600,
    ).stdout
    estimate = next(line for line in out.splitlines() if line.startswith("Estimated value of Pi"))
    assert estimate.split()[-1].startswith("3.1"), estimate
    return f"{len(running)} NodeManager(s) running; MapReduce pi job: {estimate}"


def hbase():
    conn = lab_hbase.connect()
    name = f"lab_smoke_{uuid.uuid4().hex[:8]}"
    conn.create_table(name, {"c": {}})
    try:
        table = conn.table(name)
        table.put(b"row", {b"c:v": b"hello"})
        value = table.row(b"row")[b"c:v"]
        count = table.counter_inc(b"row", b"c:n", 5)
    finally:
        conn.delete_table(name, disable=True)
    activity = sorted(t.decode() for t in conn.tables() if t.startswith(b"activity:"))
    conn.close()
    assert (value, count) == (b"hello", 5)
    return f"put/get and a counter through Thrift on {endpoints.address('hbase-thrift')}; {len(activity)} activity:* tables"


def storm():
    from activity_clients.nimbus import cluster_summary

    s = cluster_summary()
    free = sum(x["slots"] - x["used"] for x in s["supervisors"])
    assert s["supervisors"], "no supervisor registered with Nimbus"
    return f"Nimbus reports {len(s['supervisors'])} supervisor(s), {free} free slot(s), {len(s['topologies'])} topology(ies)"


def speed_layer():
    """The topology is active and counts a page view of a new page (a real request to the shop)."""
    from activity_clients.nimbus import topology_summary

    t = topology_summary()
    assert t is not None, f"topology {names.TOPOLOGY_NAME} not running (`lab storm deploy`)"
    assert t["status"] == "ACTIVE", f"topology {t['name']} is {t['status']}"
    page = f"/lab-smoke-{uuid.uuid4().hex[:8]}"
    requests.get(endpoints.url(names.SHOP, page), timeout=30, headers={"X-Lab-User": "lab-smoke"})
    conn = lab_hbase.connect()
    t0, views = time.monotonic(), 0
    while time.monotonic() - t0 < 30 and views == 0:
        views = names.decode_counter(
            conn.table(names.T_PAGE_COUNTS).row(names.page_row(names.SHOP, page)).get(names.C_VIEWS)
        )
        time.sleep(0.05)
    conn.close()
    assert views == 1, f"a page view of shop{page} not counted in {names.T_PAGE_COUNTS} within 30 s"
    return (
        f"{t['name']} {t['status']} with {t['workers']} worker(s); a page view reached page_counts in "
        f"{(time.monotonic() - t0) * 1000:.0f} ms"
    )


def hive():
    """HiveServer2 answers PyHive from the host and serves database activity (no job: metadata only)."""
    cur = lab_hive.connect(database="default").cursor()
    cur.execute("SHOW DATABASES")
    databases = sorted(r[0] for r in cur.fetchall())
    cur.close()
    assert "activity" in databases, f"no database activity in {databases} (docker compose logs hive-init)"
    return f"PyHive on {endpoints.address('hiveserver2')}: databases {', '.join(databases)}"


def spark():
    """A PySpark job on YARN (client mode, from the edge node) that also lists the Hive catalog's databases;
    the History Server then lists its application."""
    from .spark import history_server_app, submitted_app

    out = exec_in("edge", "spark-submit", "/opt/lab/spark_jobs/lab_smoke.py", timeout=600)
    assert out.returncode == 0, (out.stdout + out.stderr)[-1500:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("spark smoke:"))
    app_id = submitted_app(out.stderr)
    assert history_server_app(app_id, timeout=60).status_code == 200, (
        f"{app_id} not listed by the History Server on {endpoints.address('spark-history')}"
    )
    return f"{line[len('spark smoke: ') :]}; {app_id} in the History Server"


def edge():
    """The edge node's clients answer: Kafka's tools, Sqoop against MariaDB, Pig."""
    topics = exec_in("edge", "kafka-topics", "--list").stdout.split()
    assert names.TOPIC_EVENTS in topics, f"kafka-topics --list: {topics}"
    query = exec_in(
        "edge",
        "sqoop",
        "eval",
        "--connect",
        names.MARIADB_JDBC_URL,
        "--driver",
        "org.mariadb.jdbc.Driver",
        "--username",
        "lab",
        "--password-file",
        "file:///etc/lab/sqoop/mariadb.password",
        "--query",
        "SELECT 6 * 7 AS answer",
    )
    assert "| 42" in query.stdout, (query.stdout + query.stderr)[-800:]
    pig = exec_in("edge", "pig", "-version").stdout.strip().splitlines()
    assert pig and "0.18.0" in pig[0], pig
    return f"kafka-topics lists {len(topics)} topics; sqoop eval on MariaDB gives 42; {pig[0].split(' (')[0]}"


def airflow():
    """Every Airflow component healthy, admin signs in with the .env password, the DAGs import cleanly."""
    from activity_clients import airflow as af

    states = af.health()
    assert all(v == "healthy" for v in states.values()), states
    client = af.Airflow()
    errors = client.api("GET", "/importErrors")["total_entries"]
    dags = [d["dag_id"] for d in client.api("GET", "/dags")["dags"]]
    assert errors == 0, f"{errors} DAG import error(s): lab airflow status"
    return f"4 components healthy on {endpoints.address('airflow-api-server')}; admin signed in; DAGs {', '.join(dags)}, no import error"


def mariadb():
    import pymysql

    host, port = endpoints.host_port("mariadb")
    conn = pymysql.connect(
        host=host,
        port=port,
        user="lab",
        password=read_env()["MARIADB_PASSWORD"],
        database="activity",
        connect_timeout=10,
    )
    with conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        version = cur.fetchone()[0]
    conn.close()
    return f"user lab logged into database activity on {host}:{port} (MariaDB {version})"


def postgres():
    out = exec_in(
        "postgres",
        "psql",
        "-h",
        "postgres",
        "-U",
        "hive",
        "-d",
        "metastore",
        "-tAc",
        "SELECT version()",
        env={"PGPASSWORD": read_env()["HIVE_DB_PASSWORD"]},
    )
    assert out.returncode == 0, out.stderr
    return f"user hive logged into database metastore ({out.stdout.split(',')[0].strip()})"


def flume():
    """The agent's counters, and today's access logs of the sites in HDFS (the simulated users write them)."""
    from datetime import datetime, timedelta

    m = flume_metrics()
    failed = int(m["SINK.hdfs"]["EventWriteFail"]) + int(m["SOURCE.access"]["EventReadFail"])
    assert failed == 0, f"{failed} failed reads/writes since the agent started (docker compose logs flume)"
    now = datetime.now(UTC)
    days = [now.strftime("%Y-%m-%d")] + (
        [(now - timedelta(days=1)).strftime("%Y-%m-%d")] if now.hour == 0 and now.minute < 5 else []
    )  # a new day's partition may be empty yet
    files = {app: [e for day in days for e in webhdfs.list_dir(f"/logs/{app}/access/dt={day}")] for app in names.APPS}
    empty = [app for app, entries in files.items() if not entries]
    assert not empty, f"no access log in HDFS today for {', '.join(empty)} (are the simulated users paused?)"
    return (
        f"{m['SINK.hdfs']['EventDrainSuccessCount']} lines written to HDFS since start; today's access logs "
        f"of all 3 sites under /logs/*/access/dt={days[0]}"
    )


CHECKS = [
    ("ZooKeeper", zookeeper),
    ("Kafka", kafka),
    ("HDFS", hdfs),
    ("YARN/MapReduce", yarn),
    ("HBase", hbase),
    ("Storm", storm),
    ("Speed layer", speed_layer),
    ("Flume", flume),
    ("Hive", hive),
    ("Spark", spark),
    ("Edge node", edge),
    ("Airflow", airflow),
    ("MariaDB", mariadb),
    ("PostgreSQL", postgres),
]
# Checks of the batch engines (profile `batch`): skipped in the light lab, where their services do not exist.
NEEDS = {"Hive": "hiveserver2", "Spark": "spark-history", "Edge node": "edge", "Airflow": "airflow-api-server"}


def smoke():
    from .compose import containers

    present = {c.service for c in containers()}
    failures = skipped = 0
    for name, check in CHECKS:
        if NEEDS.get(name, "") and NEEDS[name] not in present:
            skipped += 1
            print(f"skip {name:<15} no {NEEDS[name]} in this lab (the light lab: `make up` without LIGHT=1 adds it)")
            continue
        t0 = time.monotonic()
        try:
            result, mark = check(), "ok  "
        except Exception as exc:  # a failed check is reported, and the others still run
            result, mark, failures = f"{type(exc).__name__}: {exc}", "FAIL", failures + 1
        print(f"{mark} {name:<15} {result}  ({time.monotonic() - t0:.1f} s)", flush=True)
    ran = len(CHECKS) - skipped
    print(f"\nsmoke: {ran - failures} of {ran} checks passed" + (f" ({skipped} skipped)" if skipped else ""))
    return 1 if failures else 0
