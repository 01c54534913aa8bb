"""A bolt that handles its input in micro-batches: every `batch_ms`, all tuples received since the last
batch are flushed together (one HBase read and one write per row), then acked; if the flush raises, they
are failed and Storm replays them from the spout. The batch period bounds the added latency (50 ms by
default), while under load a batch holds many tuples."""

from __future__ import annotations

import time

from pystorm.bolt import TicklessBatchingBolt
from streamparse import Bolt

from .settings import Settings


def task_index(context: dict) -> int:
    """This task's index among its component's tasks (0 for the first), from the multilang handshake."""
    mine = sorted(int(t) for t, c in context.get("task->component", {}).items() if c == context.get("componentid"))
    return mine.index(int(context["taskid"])) if int(context.get("taskid", -1)) in mine else 0


class MicroBatchBolt(TicklessBatchingBolt, Bolt):
    auto_ack = False
    auto_fail = False
    exit_on_exception = False  # a bad batch is failed and replayed; the process (and the worker) stays up
    secs_between_batches = 0.05
    # pystorm starts the batch thread in the constructor, before Storm's handshake and initialize(): a batch period
    # that ends before them must do nothing (periodic() on a bolt not set up raised, killed the process, and on a
    # busy start every worker the supervisor launched again died the same way).
    initialized = False

    def initialize(self, storm_conf, context):
        self.settings = Settings.from_storm_conf(storm_conf)
        self.secs_between_batches = self.settings.batch_ms / 1000
        self.task_index = task_index(context)
        self.setup()
        self.initialized = True

    def setup(self):
        """Open clients; subclasses override."""

    def flush(self, tups):
        """Apply a batch; raise to fail it. Subclasses override."""
        raise NotImplementedError

    def periodic(self, now_ms: int):
        """Called after every batch period, with or without tuples; subclasses override."""

    def process_batches(self):
        if not self.initialized:
            return
        tups = [t for batch in self._batches.values() for t in batch]
        self._batches.clear()
        if tups:
            try:
                self.flush(tups)
            except Exception as exc:  # HBase or Kafka unreachable: replay later, never crash the worker
                self.logger.error("batch of %d tuples failed, failing them for replay: %r", len(tups), exc)
                self.on_error()
                for t in tups:
                    self.fail(t)
            else:
                for t in tups:
                    self.ack(t)
        try:
            self.periodic(int(time.time() * 1000))
        except Exception as exc:
            self.logger.error("periodic work failed (retried next period): %r", exc)
            self.on_error()

    def on_error(self):
        """Drop broken connections; subclasses override."""
