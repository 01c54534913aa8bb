"""KafkaEventSink with a fake broker: keys, order, spooling while Kafka is down, bounded spool,
drain in order, no duplicates, counters that always add up."""

from __future__ import annotations

import json
import threading
import time

import pytest

from producers.kafka_sink import CLOSED, KafkaEventSink, producer_config
from producers.sinks import encode_event
from producers.spool import Spool


class FakeFuture:
    def __init__(self, error: Exception | None = None, block: threading.Event | None = None):
        self.error, self.block = error, block

    def get(self, timeout=None):
        if self.block is not None:
            self.block.wait(timeout)
        if self.error:
            raise self.error
        return "metadata"

    def add_errback(self, fn):
        if self.error:
            fn(self.error)
        return self


class FakeKafka:
    """Broker stand-in. up=False: cannot connect and sends fail. fail_after=n: n more acks, then failures.
    ack_lost=True: messages are stored but the ack fails (the at-least-once edge); lose_acks=n: the same for the next
    n messages only."""

    def __init__(self, up: bool = True):
        self.up = up
        self.fail_after: int | None = None
        self.ack_lost = False
        self.lose_acks = 0
        self.refuse_send = False
        self.block: threading.Event | None = None
        self.messages: list[tuple[str, bytes | None, bytes]] = []
        self.connects = 0
        self.lock = threading.Lock()

    def factory(self):
        if not self.up:
            raise ConnectionError("NoBrokersAvailable (fake)")
        self.connects += 1
        return FakeProducer(self)

    def values(self, topic: str = "user-activity") -> list[dict]:
        with self.lock:
            return [json.loads(v) for t, k, v in self.messages if t == topic]


class FakeProducer:
    def __init__(self, broker: FakeKafka):
        self.broker = broker

    def send(self, topic, key=None, value=None):
        b = self.broker
        if b.refuse_send:
            raise TimeoutError("metadata not available in max_block_ms (fake)")
        with b.lock:
            if not b.up or (b.fail_after is not None and b.fail_after <= 0):
                return FakeFuture(TimeoutError("delivery timed out (fake)"))
            if b.fail_after is not None:
                b.fail_after -= 1
            b.messages.append((topic, key, value))
            lost, b.lose_acks = b.ack_lost or b.lose_acks > 0, max(b.lose_acks - 1, 0)
        return FakeFuture(TimeoutError("ack lost (fake)") if lost else None, b.block)

    def close(self, timeout=None):
        pass


def make_event(i: int, user: str = "shop-u01") -> dict:
    return {
        "schema_version": 1,
        "event_id": f"00000000-0000-4000-8000-{i:012d}",
        "event_type": "click",
        "event_time": "2026-11-23T19:34:05.123Z",
        "app_id": "shop",
        "user_id": user,
        "session_id": "s",
        "page": "/",
        "section": "home",
        "referrer": None,
        "target": f"t{i}",
        "http_status": 200,
        "latency_ms": 1.0,
        "geo": {"country": "DE", "city": "Berlin"},
        "device": {"type": "desktop", "os": "Linux", "browser": "Firefox"},
        "user_agent": "Mozilla/5.0",
    }


@pytest.fixture
def broker():
    return FakeKafka()


@pytest.fixture
def reports():
    return []


@pytest.fixture
def make_sink(tmp_path, broker, reports):
    sinks = []

    def make(max_bytes: int = 1 << 20, queue_size: int = 1000, start: bool = True, **kw) -> KafkaEventSink:
        sink = KafkaEventSink(
            bootstrap="fake:9092",
            topic="user-activity",
            dlq_topic="user-activity-dlq",
            spool=Spool(tmp_path / "spool", max_bytes, segment_bytes=kw.pop("segment_bytes", 1 << 20)),
            queue_size=queue_size,
            delivery_timeout_ms=500,
            producer_factory=broker.factory,
            report=lambda level, msg: reports.append((level, msg)),
            retry_initial_s=0.01,
            retry_max_s=0.05,
            start=start,
            **kw,
        )
        sinks.append(sink)
        return sink

    yield make
    for sink in sinks:
        sink.close(timeout=2)


def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


def balanced(c: dict) -> bool:
    """Every event is accounted for exactly once."""
    return (
        c["emitted"] + c["spool_recovered"]
        == c["produced"] + c["queued"] + c["in_flight"] + c["spool_pending"] + c["spool_dropped"] + c["spool_corrupt"]
    )


def test_events_reach_kafka_in_order_keyed_by_user(make_sink, broker):
    sink = make_sink()
    events = [make_event(i, user=f"shop-u{i % 3 + 1:02d}") for i in range(200)]
    for e in events:
        sink.emit(e)
    wait_for(lambda: sink.counters()["produced"] == 200)
    assert broker.values() == events
    assert [k for _, k, _ in broker.messages] == [e["user_id"].encode() for e in events]
    assert broker.messages[0][2] == encode_event(events[0])
    c = sink.counters()
    assert (c["emitted"], c["spooled"], c["send_errors"], c["kafka_connected"]) == (200, 0, 0, True)
    assert balanced(c)


def test_unreachable_kafka_spools_to_disk_then_drains_in_order_without_duplicates(make_sink, broker, tmp_path, reports):
    broker.up = False
    sink = make_sink(segment_bytes=8 * 1024)  # several segments
    events = [make_event(i) for i in range(120)]
    for e in events:
        sink.emit(e)
    wait_for(lambda: sink.counters()["spool_pending"] == 120)
    c = sink.counters()
    assert (c["spooled"], c["produced"], c["kafka_connected"]) == (120, 0, False)
    assert balanced(c)
    on_disk = [
        json.loads(line) for f in sorted((tmp_path / "spool").glob("*.jsonl")) for line in f.read_text().splitlines()
    ]
    assert on_disk == events
    assert len(list((tmp_path / "spool").glob("*.jsonl"))) > 1
    broker.up = True
    wait_for(lambda: sink.counters()["produced"] == 120)
    assert broker.values() == events  # in order, each exactly once
    c = sink.counters()
    assert (c["spool_pending"], c["spool_bytes"]) == (0, 0) and balanced(c)
    assert list((tmp_path / "spool").glob("*.jsonl")) == []
    assert any("unreachable" in msg for _, msg in reports)
    assert any("reachable again" in msg or "connected" in msg for _, msg in reports)


def test_outage_mid_stream_keeps_every_event_exactly_once_and_in_order(make_sink, broker):
    sink = make_sink()
    events = [make_event(i) for i in range(90)]
    for e in events[:30]:
        sink.emit(e)
    wait_for(lambda: sink.counters()["produced"] == 30)
    broker.up = False
    for e in events[30:60]:
        sink.emit(e)
    wait_for(lambda: sink.counters()["spool_pending"] == 30)
    assert sink.counters()["send_errors"] >= 1
    broker.up = True
    for e in events[60:]:
        sink.emit(e)  # arrive while the spool drains: they queue up behind it
    wait_for(lambda: sink.counters()["produced"] == 90)
    assert [v["event_id"] for v in broker.values()] == [e["event_id"] for e in events]
    assert balanced(sink.counters())


def test_drain_interrupted_mid_segment_resends_only_unacknowledged_lines(make_sink, broker, tmp_path):
    broker.up = False
    sink = make_sink()
    events = [make_event(i) for i in range(50)]
    for e in events:
        sink.emit(e)
    wait_for(lambda: sink.counters()["spool_pending"] == 50)
    broker.fail_after = 20  # back, but fails again after 20 messages
    broker.up = True
    wait_for(lambda: sink.counters()["produced"] == 20 and sink.counters()["spool_pending"] == 30)
    assert [
        json.loads(line)["event_id"]
        for line in (tmp_path / "spool").glob("*.jsonl").__next__().read_text().splitlines()
    ] == [e["event_id"] for e in events[20:]]
    broker.fail_after = None
    wait_for(lambda: sink.counters()["produced"] == 50)
    assert broker.values() == events


def test_send_refused_synchronously_spools_the_batch_in_order(make_sink, broker):
    sink = make_sink()
    sink.emit(make_event(0))
    wait_for(lambda: sink.counters()["produced"] == 1)
    broker.refuse_send = True
    for i in range(1, 11):
        sink.emit(make_event(i))
    wait_for(lambda: sink.counters()["spool_pending"] == 10)
    broker.refuse_send = False
    wait_for(lambda: sink.counters()["produced"] == 11)
    assert [v["target"] for v in broker.values()] == [f"t{i}" for i in range(11)]


def test_spool_is_bounded_and_drops_are_counted_and_reported(make_sink, broker, reports):
    broker.up = False
    sink = make_sink(max_bytes=4096)
    for i in range(30):
        sink.emit(make_event(i))
    wait_for(lambda: sink.counters()["queued"] == 0 and sink.counters()["spool_dropped"] > 0)
    wait_for(lambda: sink.counters()["spool_pending"] + sink.counters()["spool_dropped"] == 30)
    c = sink.counters()
    assert 0 < c["spool_pending"] < 30 and c["spool_bytes"] <= 4096
    assert c["spool_dropped"] == 30 - c["spooled"]
    assert balanced(c)
    assert any(level == "ERROR" and "spool full" in msg for level, msg in reports)
    broker.up = True
    wait_for(lambda: sink.counters()["produced"] == c["spooled"])
    assert [v["target"] for v in broker.values()] == [f"t{i}" for i in range(c["spooled"])]  # the oldest are kept


def test_emit_never_blocks_even_when_the_broker_hangs(make_sink, broker):
    broker.block = threading.Event()  # acks never come (until released)
    sink = make_sink(queue_size=100)
    started = time.perf_counter()
    for i in range(1000):
        sink.emit(make_event(i))
    assert time.perf_counter() - started < 1.0
    c = sink.counters()
    assert c["emitted"] == 1000 and c["spooled"] >= 800  # queue full: straight to disk
    broker.block.set()
    wait_for(lambda: sink.counters()["produced"] + sink.counters()["spool_dropped"] == 1000)
    wait_for(lambda: balanced(sink.counters()) and sink.counters()["spool_pending"] == 0)


def test_full_queue_overflows_to_the_spool(make_sink):
    sink = make_sink(queue_size=5, start=False)
    for i in range(12):
        sink.emit(make_event(i))
    c = sink.counters()
    assert (c["queued"], c["spooled"], c["spool_pending"]) == (5, 7, 7)
    assert balanced(c)


def test_close_spools_what_was_not_sent_and_a_new_sink_sends_it(make_sink, broker, tmp_path):
    first = make_sink(start=False)
    for i in range(8):
        first.emit(make_event(i))
    first.close()
    assert first.counters()["spool_pending"] == 8
    second = make_sink()
    assert second.counters()["spool_recovered"] == 8
    wait_for(lambda: second.counters()["produced"] == 8)
    assert [v["target"] for v in broker.values()] == [f"t{i}" for i in range(8)]
    assert balanced(second.counters())


def test_unreadable_spool_line_is_counted_not_sent(make_sink, broker, tmp_path):
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    good = [encode_event(make_event(i)) for i in range(3)]
    (spool_dir / "000000000001.jsonl").write_bytes(good[0] + b"\n" + good[1] + b"\n" + good[2] + b"\n" + b'{"torn')
    sink = make_sink()
    wait_for(lambda: sink.counters()["produced"] == 3 and sink.counters()["spool_corrupt"] == 1)
    assert balanced(sink.counters())


def test_lost_ack_is_the_documented_at_least_once_edge(make_sink, broker):
    """The broker stored it but the ack failed: the event is spooled and sent again (same event_id);
    downstream dedupes by event_id."""
    sink = make_sink()
    broker.lose_acks = 1  # once: toggling a flag back let a busy machine's resend lose its ack too (3 copies)
    sink.emit(make_event(1))
    wait_for(lambda: sink.counters()["produced"] == 1)
    ids = [v["event_id"] for v in broker.values()]
    assert len(ids) == 2 and len(set(ids)) == 1
    assert sink.counters()["spooled"] == 1 and sink.counters()["spool_pending"] == 0


def test_rejected_bodies_go_to_the_dead_letter_topic(make_sink, broker):
    sink = make_sink()
    sink.emit(make_event(0))
    wait_for(lambda: sink.counters()["produced"] == 1)
    sink.reject("event_type: 'x' is not one of [...]", '{"event_type": "x"}')
    wait_for(lambda: sink.counters()["dlq_sent"] == 1)
    assert broker.values("user-activity-dlq") == [
        {"error": "event_type: 'x' is not one of [...]", "raw": '{"event_type": "x"}'}
    ]
    assert [k for t, k, _ in broker.messages if t == "user-activity-dlq"] == [None]
    c = sink.counters()
    assert (c["dlq_spooled"], c["dlq_sent"], c["dlq_pending"], c["dlq_dropped"]) == (1, 1, 0, 0)


def test_dead_letters_are_durable_and_counted_sent_only_once_kafka_acknowledges(make_sink, broker, tmp_path):
    broker.up = False
    first = make_sink()
    for i in range(3):
        first.reject(f"reason {i}", f"body {i}")
    assert first.counters()["dlq_pending"] == 3 and first.counters()["dlq_sent"] == 0
    on_disk = [line for seg in (tmp_path / "spool" / "dlq").glob("*.jsonl") for line in seg.read_bytes().splitlines()]
    assert [json.loads(line)["raw"] for line in on_disk] == ["body 0", "body 1", "body 2"]
    first.close(timeout=0.5, drain_s=0.1)  # the site stops before Kafka comes back
    broker.up, broker.ack_lost = True, True  # stored, but the acks are lost: not sent yet
    second = make_sink()
    assert second.counters()["dlq_recovered"] == 3
    wait_for(lambda: broker.values("user-activity-dlq"))
    time.sleep(0.1)
    assert second.counters()["dlq_sent"] == 0 and second.counters()["dlq_pending"] == 3
    broker.ack_lost = False
    wait_for(lambda: second.counters()["dlq_sent"] == 3)
    assert second.counters()["dlq_pending"] == 0
    assert [r["error"] for r in broker.values("user-activity-dlq")][-3:] == ["reason 0", "reason 1", "reason 2"]


def test_a_full_dead_letter_spool_counts_and_reports_the_drop(make_sink, broker, tmp_path, reports):
    broker.up = False
    sink = make_sink(dlq_spool=Spool(tmp_path / "dlq", 4096))
    for _ in range(40):
        sink.reject("too big to keep them all", "x" * 200)
    c = sink.counters()
    assert c["dlq_spooled"] + c["dlq_dropped"] == 40 and c["dlq_dropped"] > 0
    assert c["dlq_pending"] == c["dlq_spooled"]
    assert any(level == "ERROR" and "dead-letter spool full" in msg for level, msg in reports)


def test_close_first_drains_the_queue_into_a_reachable_kafka(make_sink, broker, reports):
    sink = make_sink()
    sink.emit(make_event(0))
    wait_for(lambda: sink.counters()["produced"] == 1)
    for i in range(1, 300):
        sink.emit(make_event(i))
    sink.close(timeout=2, drain_s=5)
    c = sink.counters()
    assert (c["produced"], c["spooled"], c["spool_pending"]) == (300, 0, 0) and balanced(c)
    closed = [msg for level, msg in reports if msg.startswith(CLOSED)]
    assert len(closed) == 1 and json.loads(closed[0][len(CLOSED) :])["emitted"] == 300


def test_an_unknown_producer_setting_fails_at_start():
    with pytest.raises(ValueError, match=r"setting\(s\) .*linger_ms.* not known to kafka-python"):
        producer_config("kafka:29092", 10_000, "site", known={"bootstrap_servers", "client_id", "acks"})
    with pytest.raises(ValueError, match="names no server"):
        producer_config(" , ", 10_000, "site")
    config = producer_config("kafka:29092,kafka2:29092", 10_000, "site")  # the pinned kafka-python knows all
    assert config["bootstrap_servers"] == ["kafka:29092", "kafka2:29092"] and config["acks"] == "all"


def test_close_is_bounded_and_spools_a_batch_kafka_has_not_acknowledged(make_sink, broker):
    broker.block = threading.Event()  # Kafka hangs, e.g. stopping at the same time as the site
    sink = make_sink()
    for i in range(5):
        sink.emit(make_event(i))
    wait_for(lambda: sink.counters()["in_flight"] == 5)
    started = time.monotonic()
    sink.close(timeout=0.3, drain_s=0.3)  # bounded by drain_s + timeout
    assert time.monotonic() - started < 1.0
    c = sink.counters()
    assert (c["in_flight"], c["spool_pending"], c["produced"]) == (0, 5, 0) and balanced(c)
    broker.block.set()  # the sender thread wakes up later: it must not count or spool the batch again
    time.sleep(0.2)
    assert sink.counters() == c
