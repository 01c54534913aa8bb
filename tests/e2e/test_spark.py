"""Spark 4.0.0 on the lab's YARN, submitted from the edge node: a PySpark job (cluster mode) reads an HDFS file and
writes a Hive table of the Hive 4.0.1 metastore, which HiveServer2 then reads back; its application is SUCCEEDED in
YARN and listed by the History Server's REST API; a Structured Streaming read (client mode) of a fresh Kafka topic
returns exactly the test's messages."""

import json
import uuid

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from activity_clients import endpoints
from activity_clients import hive as lab_hive
from activitylab.spark import history_server_app, submitted_app
from lab_edge import edge, hdfs_put, ship, yarn_app

ROWS = [(i, f"/course/{i % 5}", round(i * 0.25, 2)) for i in range(1, 301)]


def test_pyspark_job_in_cluster_mode_writes_a_hive_table_that_hiveserver2_reads():
    run = uuid.uuid4().hex[:8]
    folder, table = f"/tmp/e2e-spark-{run}", f"activity.e2e_spark_{run}"
    hdfs_put(f"{folder}/rows.csv", "".join(f"{i},{p},{s}\n" for i, p, s in ROWS))
    job = ship("csv_to_hive.py")
    proc = edge("spark-submit", "--deploy-mode", "cluster", job, folder, table)
    app_id = submitted_app(proc.stderr + proc.stdout)

    cur = lab_hive.connect(database="default").cursor()
    cur.execute(f"SELECT count(*), sum(score) FROM {table}")
    assert cur.fetchall() == [(len(ROWS), sum(s for _, _, s in ROWS))]
    cur.execute(f"SELECT id, page, score FROM {table} WHERE id = 123")
    assert cur.fetchall() == [(123, "/course/3", 30.75)]

    app = yarn_app(app_id)
    assert (app["applicationType"], app["state"], app["finalStatus"]) == ("SPARK", "FINISHED", "SUCCEEDED"), app
    history = history_server_app(app_id)
    assert history.status_code == 200, history.text
    assert history.json()["name"] == f"e2e csv to {table}"
    assert history.json()["attempts"][0]["completed"] is True
    cur.execute(f"DROP TABLE {table}")


def test_structured_streaming_reads_exactly_the_messages_of_a_fresh_kafka_topic():
    topic = f"e2e-spark-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=endpoints.kafka_bootstrap())
    admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    sent = [{"key": f"k{i}", "value": json.dumps({"n": i, "topic": topic})} for i in range(57)]
    producer = KafkaProducer(bootstrap_servers=endpoints.kafka_bootstrap())
    for m in sent:
        producer.send(topic, key=m["key"].encode(), value=m["value"].encode())
    producer.flush()
    producer.close()

    job = ship("kafka_read.py")
    proc = edge("spark-submit", "--deploy-mode", "client", job, "kafka:29092", topic)
    got = [json.loads(line[4:]) for line in proc.stdout.splitlines() if line.startswith("ROW ")]
    assert sorted((g["key"], g["value"]) for g in got) == sorted((m["key"], m["value"]) for m in sent)
    assert len({(g["partition"], g["offset"]) for g in got}) == len(sent)
    app = yarn_app(submitted_app(proc.stderr + proc.stdout))
    assert app["finalStatus"] == "SUCCEEDED", app
    admin.delete_topics([topic])
    admin.close()
