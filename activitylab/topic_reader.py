"""Reads a Kafka topic by offsets: everything between two offset maps, however long the broker takes to answer.

A consumer that stops after N seconds without a message (`consumer_timeout_ms`) returns too little when the
broker is slow to hand out metadata or the first batch (just restarted, a busy machine); reading until each
partition's position reaches a known end offset returns exactly what the range holds, or fails loudly."""

import time

from kafka import KafkaConsumer, TopicPartition

from activity_clients import endpoints

BOOTSTRAP = endpoints.kafka_bootstrap()


def _partitions(consumer, topic, deadline):
    """The topic's partitions; waits while the broker has no metadata for it yet (fresh topic, restart)."""
    while True:
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return [TopicPartition(topic, p) for p in sorted(parts)]
        if time.monotonic() > deadline:
            raise TimeoutError(f"Kafka has no partitions for topic {topic}")
        time.sleep(0.5)


def _offsets(topic, end, bootstrap, timeout):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = _partitions(consumer, topic, time.monotonic() + timeout)
        return consumer.end_offsets(parts) if end else consumer.beginning_offsets(parts)
    finally:
        consumer.close()


def end_offsets(topic, bootstrap=BOOTSTRAP, timeout=60):
    """{TopicPartition: offset the next message will get} for every partition of the topic."""
    return _offsets(topic, True, bootstrap, timeout)


def start_offsets(topic, bootstrap=BOOTSTRAP, timeout=60):
    """{TopicPartition: oldest offset still in the log} for every partition of the topic."""
    return _offsets(topic, False, bootstrap, timeout)


def read_range(start, end, bootstrap=BOOTSTRAP, timeout=120):
    """The records from offsets `start` (inclusive) to `end` (exclusive), per partition, in offset order.
    Raises TimeoutError naming the partitions still short if they cannot be read within `timeout` seconds."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        out, deadline = [], time.monotonic() + timeout
        while short := [tp for tp in start if consumer.position(tp) < end[tp]]:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"read of {short} not done after {timeout} s: at "
                    f"{[consumer.position(tp) for tp in short]}, end {[end[tp] for tp in short]}"
                )
            for tp, records in consumer.poll(timeout_ms=1000).items():
                out.extend(r for r in records if r.offset < end[tp])
        return out
    finally:
        consumer.close()


def read_all(topic, bootstrap=BOOTSTRAP, timeout=120):
    """Every record the topic holds now."""
    return read_range(start_offsets(topic, bootstrap), end_offsets(topic, bootstrap), bootstrap, timeout)
