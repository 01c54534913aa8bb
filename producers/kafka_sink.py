"""KafkaEventSink: events to the user-activity topic without ever blocking a request.

Path of an event: emit() -> bounded in-memory queue -> sender thread -> Kafka (key = user_id,
acks=all, idempotent producer retries with the same bytes, hence the same event_id).
If the queue is full, or Kafka refuses/times out, the event goes to the on-disk Spool instead;
while the spool holds anything, new events are appended behind it so the drain keeps their order.
Every event is counted exactly once as produced, spool_dropped (spool full) or still pending.

Dead letters (/collect bodies that fail validation) take the durable path only: reject() appends them to
their own spool (SPOOL_DIR/{app}/dlq/) and the sender drains it into user-activity-dlq; each is counted
dlq_sent once Kafka acknowledges it, or dlq_dropped if that spool is full.

At-least-once edges (consumers dedupe by event_id): a delivery that times out although the broker
stored it, and a crash between Kafka's ack of spooled events and the spool rewrite.
A hard kill (SIGKILL) loses what is in the memory queue; a normal stop first lets the sender drain the
queue into Kafka for a moment (close(drain_s)), then spools the rest. The site's stop grace period
(compose.yaml) covers that.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from producers.sinks import encode_event
from producers.spool import Spool

Reporter = Callable[[str, str], None]  # (level, message), e.g. SiteLogs.error
CLOSED = "kafka sink: closed, counters:"


def producer_config(bootstrap: str, delivery_timeout_ms: int, client_id: str, known=None) -> dict[str, Any]:
    """The producer's settings; ValueError at start for one the installed kafka-python does not know (it
    would otherwise fail every connect attempt, or be silently left out)."""
    request_timeout_ms = max(1000, min(5000, delivery_timeout_ms // 2))
    config = dict(
        bootstrap_servers=[s.strip() for s in bootstrap.split(",") if s.strip()],
        client_id=client_id,
        acks="all",
        retries=2**31 - 1,  # bounded by delivery_timeout_ms, not by a count
        enable_idempotence=True,  # producer-internal retries cannot duplicate
        max_in_flight_requests_per_connection=5,
        linger_ms=5,
        max_block_ms=2000,  # metadata wait inside send(); only the sender thread ever waits
        request_timeout_ms=request_timeout_ms,
        delivery_timeout_ms=max(delivery_timeout_ms, request_timeout_ms + 5),
        reconnect_backoff_max_ms=2000,
        bootstrap_timeout_ms=3000,  # give up connecting quickly, the spool takes over
    )
    if known is None:
        import kafka
        from kafka import KafkaProducer

        known, version = KafkaProducer.DEFAULT_CONFIG, kafka.__version__
    else:
        version = "(given)"
    unknown = sorted(set(config) - set(known))
    if unknown:
        raise ValueError(
            f"kafka producer: setting(s) {', '.join(unknown)} not known to kafka-python {version}; "
            "pin the kafka-python the sink was written for (requirements/apps.txt)"
        )
    if not config["bootstrap_servers"]:
        raise ValueError("kafka producer: KAFKA_BOOTSTRAP names no server")
    return config


@dataclass(frozen=True)
class Lane:
    """A spool and the topic it drains into, with the counters its records are accounted in."""

    spool: Spool
    topic: str
    keyed: bool  # key = the record's user_id (events); dead letters go unkeyed
    sent: str  # counter of records Kafka acknowledged
    corrupt: str  # counter of unreadable spool lines


class KafkaEventSink:
    def __init__(
        self,
        *,
        bootstrap: str,
        topic: str,
        dlq_topic: str,
        spool: Spool,
        dlq_spool: Spool | None = None,
        queue_size: int = 10_000,
        delivery_timeout_ms: int = 10_000,
        client_id: str = "activitylab-site",
        producer_factory: Callable[[], Any] | None = None,
        report: Reporter | None = None,
        retry_initial_s: float = 1.0,
        retry_max_s: float = 10.0,
        batch_size: int = 500,
        start: bool = True,
    ):
        self.topic = topic
        self.dlq_topic = dlq_topic
        self.spool = spool
        self.delivery_timeout_s = delivery_timeout_ms / 1000
        if producer_factory is None:
            config = producer_config(bootstrap, delivery_timeout_ms, client_id)  # fails here, at start

            def producer_factory():
                from kafka import KafkaProducer

                return KafkaProducer(**config)

        self._factory = producer_factory
        self._report = report or (lambda level, message: None)
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=queue_size)
        self.dlq_spool = dlq_spool or Spool(spool.directory / "dlq", max(4096, spool.max_bytes // 8))
        self._events = Lane(spool, topic, True, "produced", "spool_corrupt")
        self._dead_letters = Lane(self.dlq_spool, dlq_topic, False, "dlq_sent", "dlq_corrupt")
        self._producer: Any = None
        self._retry_initial, self._retry_max = retry_initial_s, retry_max_s
        self._backoff = retry_initial_s
        self._retry_at = 0.0
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._handoff = threading.Lock()  # who settles the live batch in flight: the sender or close()
        self._current: list[bytes] = []
        self._abandoned = False
        self._stop = threading.Event()
        self._last_drop_report = 0.0
        self._c = dict(
            emitted=0,
            produced=0,
            spooled=0,
            spool_dropped=0,
            send_errors=0,
            in_flight=0,
            spool_corrupt=0,
            spool_recovered=spool.recovered,
            dlq_spooled=0,
            dlq_sent=0,
            dlq_dropped=0,
            dlq_corrupt=0,
            dlq_recovered=self.dlq_spool.recovered,
        )
        self._connected = False
        self._thread = threading.Thread(target=self._run, name="kafka-sink", daemon=True)
        if start:
            self._thread.start()

    # ---------------------------------------------------------------- request side (never blocks)

    def emit(self, event: dict[str, Any]) -> None:
        self._count("emitted")
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self._to_spool([encode_event(event)])

    def reject(self, error: str, raw: str) -> None:
        record = json.dumps({"error": error, "raw": raw}, ensure_ascii=False).encode("utf-8")
        if self.dlq_spool.append([record]):
            self._count("dlq_spooled")
            return
        self._count("dlq_dropped")
        self._report(
            "ERROR",
            f"kafka sink: dead-letter spool full ({self.dlq_spool.bytes} bytes): "
            f"record dropped, {self.counters()['dlq_dropped']} in total",
        )

    def counters(self) -> dict[str, Any]:
        with self._lock:
            snapshot = dict(self._c)
        snapshot.update(
            queued=self._queue.qsize(),
            spool_pending=self.spool.pending,
            spool_bytes=self.spool.bytes,
            spool_max_bytes=self.spool.max_bytes,
            dlq_pending=self.dlq_spool.pending,
            kafka_connected=self._connected,
        )
        return snapshot

    def close(self, timeout: float = 5.0, drain_s: float = 3.0) -> None:
        """Stop the sender; whatever Kafka has not acknowledged is left in the spool for the next start.

        While Kafka is reachable the sender first gets up to `drain_s` to empty the queue. Then bounded by
        `timeout`: a batch still waiting for Kafka is spooled here; if Kafka did store it meanwhile, that is
        the at-least-once edge. Both fit the site's stop grace period (compose.yaml).
        """
        if self._stop.is_set():
            return
        deadline = time.monotonic() + drain_s
        while (
            self._connected
            and self._thread.is_alive()
            and time.monotonic() < deadline
            and (self._queue.qsize() or self.counters()["in_flight"])
        ):
            time.sleep(0.05)
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        with self._handoff:
            self._abandoned = True
            if self._current:
                self._to_spool(self._current)
                self._count("in_flight", -len(self._current))
                self._current = []
        self._spool_queued()
        producer, self._producer = self._producer, None
        if producer is not None and not self._thread.is_alive():
            try:
                producer.close(timeout=2)
            except Exception:
                pass
        # The last word of this process: what it emitted, and where each event is (a restart's counters
        # start from zero; this line in error.log is what they added up to).
        self._report("INFO", f"{CLOSED} {json.dumps(self.counters(), sort_keys=True)}")

    # ---------------------------------------------------------------- sender thread

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception as exc:  # the sender must survive anything; report and back off
                self._report("ERROR", f"kafka sink: unexpected error in sender: {exc!r}")
                self._stop.wait(1.0)

    def _step(self) -> None:
        if self._producer is None:
            self._spool_queued()  # to disk first: connecting can take seconds
            if not self._connect():
                self._stop.wait(0.2)
                return
        if self.spool.pending:
            self._spool_queued()  # keep arrival order: live events queue up behind the spool
            if time.monotonic() < self._retry_at:
                self._stop.wait(0.2)
                return
            self._drain_oldest_segment(self._events)
            return
        batch = self._take_batch(0.2)
        if batch:
            self._send_batch(batch)
        if self.dlq_spool.pending and self._producer is not None and time.monotonic() >= self._retry_at:
            self._drain_oldest_segment(self._dead_letters)

    def _connect(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        try:
            self._producer = self._factory()
        except Exception as exc:
            self._failed(f"kafka unreachable, spooling events: {exc!r}")
            return False
        self._report("INFO", "kafka sink: producer connected")
        self._connected = True
        return True

    def _failed(self, message: str) -> None:
        if self._connected or self._backoff == self._retry_initial:
            self._report("WARNING", f"kafka sink: {message}")
        self._connected = False
        self._retry_at = time.monotonic() + self._backoff
        self._backoff = min(self._backoff * 2, self._retry_max)

    def _succeeded(self) -> None:
        if not self._connected:
            self._report("INFO", "kafka sink: kafka reachable again")
        self._connected = True
        self._backoff = self._retry_initial
        self._retry_at = 0.0

    def _take_batch(self, wait_s: float) -> list[dict[str, Any]]:
        try:
            batch = [self._queue.get(timeout=wait_s)]
        except queue.Empty:
            return []
        while len(batch) < self._batch_size:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _send_batch(self, batch: list[dict[str, Any]]) -> None:
        values = [encode_event(e) for e in batch]
        keys = [e["user_id"].encode("utf-8") for e in batch]
        with self._handoff:
            if self._abandoned:
                self._to_spool(values)
                return
            self._current = values
            self._count("in_flight", len(values))
        acked = [False] * len(values)
        try:
            acked = self._send_all(self.topic, keys, values)
        finally:
            with self._handoff:
                if not self._abandoned:  # otherwise close() already spooled the whole batch
                    failed = [v for v, ok in zip(values, acked, strict=True) if not ok]
                    if failed:
                        self._to_spool(failed)
                    with self._lock:
                        self._c["in_flight"] -= len(values)
                        self._c["produced"] += len(values) - len(failed)
                    self._current = []

    def _drain_oldest_segment(self, lane: Lane) -> None:
        taken = lane.spool.oldest()
        if taken is None:
            return
        segment, lines = taken
        keys, values, corrupt = [], [], 0
        for line in lines:
            try:
                record = json.loads(line)
                keys.append(record["user_id"].encode("utf-8") if lane.keyed else None)
                values.append(line)
            except (ValueError, KeyError, TypeError, AttributeError):
                corrupt += 1  # a torn last line after a machine crash; cannot be sent
        acked = self._send_all(lane.topic, keys, values)
        remaining = [v for v, ok in zip(values, acked, strict=True) if not ok]
        lane.spool.commit(segment, remaining)
        # Counted after the commit: a record is never both sent and pending in the counters.
        with self._lock:
            self._c[lane.sent] += len(values) - len(remaining)
            self._c[lane.corrupt] += corrupt
        if corrupt:
            self._report("ERROR", f"kafka sink: {corrupt} unreadable line(s) in spool segment {segment} dropped")

    def _send_all(self, topic: str, keys: list[bytes | None], values: list[bytes]) -> list[bool]:
        """Send in order, wait for every ack; returns per message whether Kafka acknowledged it."""
        acked = [False] * len(values)
        futures = []
        error: Exception | None = None
        for key, value in zip(keys, values, strict=True):
            try:
                futures.append(self._producer.send(topic, key=key, value=value))
            except Exception as exc:
                error = exc
                break  # the rest stays unsent, in order, for the spool
        for i, future in enumerate(futures):
            try:
                future.get(timeout=self.delivery_timeout_s + 5)
                acked[i] = True
            except Exception as exc:
                error = error or exc
        failures = len(values) - sum(acked)
        if failures:
            self._count("send_errors", failures)
        if error is not None:
            self._failed(f"{failures} of {len(values)} event(s) not acknowledged: {error!r}")
            self._discard_producer()
        elif values:
            self._succeeded()
        return acked

    def _discard_producer(self) -> None:
        # A fresh producer after a failure: no half-failed idempotence state, no stale buffers.
        producer, self._producer = self._producer, None
        try:
            producer.close(timeout=1)
        except Exception:
            pass

    # ---------------------------------------------------------------- spool side

    def _spool_queued(self) -> None:
        pending = []
        while True:
            try:
                pending.append(encode_event(self._queue.get_nowait()))
            except queue.Empty:
                break
        if pending:
            self._to_spool(pending)

    def _to_spool(self, values: list[bytes]) -> None:
        written = self.spool.append(values)
        dropped = len(values) - written
        with self._lock:
            self._c["spooled"] += written
            self._c["spool_dropped"] += dropped
        if dropped:
            now = time.monotonic()
            if now - self._last_drop_report >= 10 or self._last_drop_report == 0:
                self._last_drop_report = now
                self._report(
                    "ERROR",
                    f"kafka sink: spool full ({self.spool.bytes} of {self.spool.max_bytes} bytes): "
                    f"{dropped} event(s) dropped now, {self.counters()['spool_dropped']} in total",
                )

    def _count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._c[name] += n
