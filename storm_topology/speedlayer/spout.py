"""EventSpout: reads `user-activity` with kafka-python, at least once.

Partitions are assigned by hand (no group rebalance to wait for after a worker restart): task i of n takes
the partitions p with p % n == i, and starts from the group's committed offsets. Each message is emitted with
the id `partition:offset` and kept until Storm acks its tuple tree; a failed tuple is emitted again from
memory after a back-off (0.5 s, doubling up to 30 s: while HBase or Kafka is down, replays do not spin).
Offsets are committed only up to the lowest message still in flight (offsets.py).
"""

from __future__ import annotations

import heapq
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata
from streamparse import Spout

from activity_contract import names
from activity_contract.events import decode_message

from .microbatch import task_index
from .offsets import OffsetTracker
from .settings import Settings

# How long next_tuple waits for records when there are none (it returns at once when some arrive): acks and
# replays wait for it, and the spout's process wakes up about 1000 / POLL_MS times a second when idle.
POLL_MS = 250


class EventSpout(Spout):
    outputs = ["raw", "reason"]

    def initialize(self, storm_conf, context):
        self.settings = Settings.from_storm_conf(storm_conf)
        tasks = sorted(int(t) for t, c in context["task->component"].items() if c == context["componentid"])
        self.consumer = KafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            group_id=self.settings.consumer_group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=500,
        )
        parts = sorted(self.consumer.partitions_for_topic(names.TOPIC_EVENTS) or [])
        if not parts:
            raise RuntimeError(f"topic {names.TOPIC_EVENTS} has no partitions (has kafka-init run?)")
        mine = [TopicPartition(names.TOPIC_EVENTS, p) for p in parts if p % len(tasks) == task_index(context)]
        self.consumer.assign(mine)
        self.tracker = OffsetTracker()
        self.in_flight: dict[str, tuple] = {}  # tuple id -> (raw, reason)
        self.retries: list[tuple[float, str]] = []  # (due, tuple id): failed tuples waiting for their back-off
        self.attempts: dict[str, int] = {}
        self.next_commit = time.monotonic()
        self.logger.info("reading partitions %s of %s", [tp.partition for tp in mine], names.TOPIC_EVENTS)

    def next_tuple(self):
        now = time.monotonic()
        while self.retries and self.retries[0][0] <= now:
            _, tup_id = heapq.heappop(self.retries)
            if tup_id in self.in_flight:
                self.emit(self.in_flight[tup_id], tup_id=tup_id)
        if self.tracker.in_flight() < self.settings.max_pending:
            for records in self.consumer.poll(timeout_ms=POLL_MS, max_records=500).values():
                for r in records:
                    tup_id = f"{r.partition}:{r.offset}"
                    values = list(decode_message(r.value))
                    self.in_flight[tup_id] = values
                    self.tracker.emitted(r.partition, r.offset)
                    self.emit(values, tup_id=tup_id)
        self._commit()

    def ack(self, tup_id):
        self.attempts.pop(tup_id, None)
        if self.in_flight.pop(tup_id, None) is not None:
            partition, offset = map(int, tup_id.split(":"))
            self.tracker.acked(partition, offset)

    def fail(self, tup_id):
        if tup_id in self.in_flight:
            n = self.attempts[tup_id] = self.attempts.get(tup_id, 0) + 1
            delay = retry_delay(n)
            if n == 1 or n % 10 == 0:
                self.logger.info("tuple %s failed (%d time(s)), emitting it again in %.1f s", tup_id, n, delay)
            heapq.heappush(self.retries, (time.monotonic() + delay, tup_id))

    def _commit(self):
        if time.monotonic() < self.next_commit:
            return
        self.next_commit = time.monotonic() + self.settings.commit_interval_ms / 1000
        offsets = self.tracker.committable()
        if offsets:
            self.consumer.commit({TopicPartition(names.TOPIC_EVENTS, p): _offset_meta(o) for p, o in offsets.items()})
            self.tracker.mark_committed(offsets)


def retry_delay(attempt: int) -> float:
    """Seconds before the n-th replay of a failed tuple: 0.5, 1, 2, ... at most 30."""
    return min(30.0, 0.5 * 2 ** (attempt - 1))


def _offset_meta(offset: int) -> OffsetAndMetadata:
    try:
        return OffsetAndMetadata(offset, "", -1)  # kafka-python >= 2.1: (offset, metadata, leader_epoch)
    except TypeError:
        return OffsetAndMetadata(offset, "")
