"""Airflow's own metrics: its StatsD lines, received over UDP and served as Prometheus series (by the pipeline exporter).

Airflow 3 sends StatsD (`[metrics] statsd_on`, compose.yaml) with its tags in InfluxDB's style, the legacy names off:

    airflow.ti.finish,dag_id=lab_smoke,task_id=hdfs_ls,state=success:1|c
    airflow.scheduler.scheduler_loop_duration:12.5|ms
    airflow.executor.open_slots,name=LocalExecutor:4|g

Each becomes a series named after its dotted name (`airflow_ti_finish_total{dag_id, task_id, state}`), its tags as
labels: a counter (`c`) adds up (its sample rate honoured), a gauge (`g`) holds the last value (or moves by a signed
one), a timer (`ms`, `h`) becomes a summary in seconds (`_count`, `_sum`). The counts live in this process: they
start again at 0 when it restarts, which Prometheus' rate() and increase() take as a counter reset. A line that is
not StatsD is counted in `activitylab_statsd_bad_lines_total`, never an error.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

log = logging.getLogger("pipeline-exporter")

_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_]")
KINDS = {"c": "counter", "g": "gauge", "ms": "timer", "h": "timer"}
Key = tuple[str, str, tuple[tuple[str, str], ...]]  # (series name, kind, sorted labels)


@dataclass(frozen=True)
class Line:
    name: str  # the Prometheus name, without a kind's suffix
    kind: str  # counter, gauge or timer
    labels: tuple[tuple[str, str], ...]
    value: float
    relative: bool = False  # a gauge's "+3" or "-2": a move, not a value


def metric_name(dotted: str) -> str:
    name = _NAME_UNSAFE.sub("_", dotted)
    return name if not name[:1].isdigit() else f"_{name}"


def parse_line(text: str) -> Line:
    """One StatsD line; ValueError when it is not one."""
    head, sep, rest = text.partition(":")
    if not sep or not head:
        raise ValueError(f"no name:value in {text!r}")
    fields = rest.split("|")
    if len(fields) < 2 or fields[1] not in KINDS:
        raise ValueError(f"no known type in {text!r}")
    raw, kind = fields[0], KINDS[fields[1]]
    value = float(raw)
    for extra in fields[2:]:
        if extra.startswith("@"):  # a counter sampled at this rate: each line stands for 1/rate
            rate = float(extra[1:])
            if not 0 < rate <= 1:
                raise ValueError(f"sample rate {rate} in {text!r}")
            if kind == "counter":
                value /= rate
    dotted, *tags = head.split(",")
    labels = []
    for tag in tags:
        key, eq, tag_value = tag.partition("=")
        if not eq or not key:
            raise ValueError(f"tag {tag!r} in {text!r}")
        labels.append((metric_name(key), tag_value))
    return Line(metric_name(dotted), kind, tuple(sorted(labels)), value, kind == "gauge" and raw[:1] in "+-")


@dataclass
class StatsdTotals:
    """What the lines received add up to, per series; safe to feed from one thread and read from others."""

    counters: dict[Key, float] = field(default_factory=dict)
    gauges: dict[Key, float] = field(default_factory=dict)
    timers: dict[Key, tuple[int, float]] = field(default_factory=dict)  # count, sum in seconds
    bad_lines: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, text: str) -> None:
        try:
            line = parse_line(text)
        except ValueError as exc:
            with self._lock:
                self.bad_lines += 1
            log.debug("statsd: %s", exc)
            return
        key = (line.name, line.kind, line.labels)
        with self._lock:
            if line.kind == "counter":
                self.counters[key] = self.counters.get(key, 0.0) + line.value
            elif line.kind == "gauge":
                self.gauges[key] = (self.gauges.get(key, 0.0) if line.relative else 0.0) + line.value
            else:
                count, total = self.timers.get(key, (0, 0.0))
                self.timers[key] = (count + 1, total + line.value / 1000)

    def add_packet(self, packet: bytes) -> None:
        """A datagram: one line or several, newline-separated."""
        for text in packet.decode("utf-8", "replace").splitlines():
            if text.strip():
                self.add(text.strip())


class StatsdCollector(Collector):
    def __init__(self, totals: StatsdTotals):
        self.totals = totals

    def collect(self) -> Iterator[Metric]:
        with self.totals._lock:
            counters, gauges = dict(self.totals.counters), dict(self.totals.gauges)
            timers, bad = dict(self.totals.timers), self.totals.bad_lines
        families: dict[str, Metric] = {}

        def family(name: str, kind: str) -> Metric | None:
            """The series' family; None when the name is already another kind's (one TYPE per name, or Prometheus
            refuses the whole scrape)."""
            prom_kind = "summary" if kind == "timer" else kind
            if name not in families:
                families[name] = Metric(name, f"Airflow's StatsD {kind} {name}", prom_kind)
            return families[name] if families[name].type == prom_kind else None

        samples = [
            *((name, "counter", f"{name}_total", labels, v) for (name, _, labels), v in sorted(counters.items())),
            *((name, "gauge", name, labels, v) for (name, _, labels), v in sorted(gauges.items())),
        ]
        for (name, _, labels), (count, total) in sorted(timers.items()):
            samples.append((f"{name}_seconds", "timer", f"{name}_seconds_count", labels, count))
            samples.append((f"{name}_seconds", "timer", f"{name}_seconds_sum", labels, total))
        for name, kind, sample, labels, value in samples:
            if (f := family(name, kind)) is not None:
                f.add_sample(sample, dict(labels), value)
        yield from families.values()
        bad_lines = Metric("activitylab_statsd_bad_lines", "StatsD lines received that were not StatsD", "counter")
        bad_lines.add_sample("activitylab_statsd_bad_lines_total", {}, bad)
        yield bad_lines


def serve_udp(totals: StatsdTotals, port: int) -> int:
    """Receives StatsD datagrams on the port (0: any free one), in a daemon thread; the port bound."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("", port))

    def receive():
        while True:
            totals.add_packet(sock.recv(65535))

    threading.Thread(target=receive, name="statsd", daemon=True).start()
    return sock.getsockname()[1]
