"""Kafka from the host (KAFKA_PORT, 9092): keyed round trip on a fresh topic, and the lab's topics."""

import uuid

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic

from activity_clients import endpoints
from activitylab.topic_reader import read_all

BOOTSTRAP = endpoints.kafka_bootstrap()


def test_lab_topics_exist():
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    try:
        assert {"user-activity", "user-activity-dlq", "activity-alerts"} <= set(admin.list_topics())
    finally:
        admin.close()


def test_hundred_keyed_messages_round_trip_exactly():
    topic = f"e2e-{uuid.uuid4().hex[:12]}"
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    admin.close()
    sent = [(f"user-{i % 10}".encode(), f"message-{i}".encode()) for i in range(100)]
    producer = KafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all")
    for key, value in sent:
        producer.send(topic, key=key, value=value)
    producer.flush(30)
    producer.close()
    got = [(m.key, m.value) for m in read_all(topic, BOOTSTRAP)]  # from the oldest to the newest offset
    assert len(got) == 100
    assert sorted(got) == sorted(sent)
