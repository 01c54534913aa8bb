"""At-least-once bookkeeping of the Kafka spout: which offset may be committed once tuple trees are acked.

Kafka's committed offset means "everything before it is done", so per partition it is the lowest offset
still in flight, or one past the highest emitted when nothing is in flight.
"""

from __future__ import annotations


class OffsetTracker:
    def __init__(self):
        self._pending: dict[int, set[int]] = {}  # partition -> offsets emitted, not yet acked
        self._next: dict[int, int] = {}  # partition -> one past the highest offset emitted
        self._committed: dict[int, int] = {}  # partition -> last offset committed

    def emitted(self, partition: int, offset: int) -> None:
        self._pending.setdefault(partition, set()).add(offset)
        self._next[partition] = max(self._next.get(partition, 0), offset + 1)

    def acked(self, partition: int, offset: int) -> None:
        self._pending.get(partition, set()).discard(offset)

    def in_flight(self) -> int:
        return sum(len(p) for p in self._pending.values())

    def committable(self) -> dict[int, int]:
        """Partitions whose safe commit offset moved since the last `mark_committed`."""
        out = {}
        for partition, nxt in self._next.items():
            pending = self._pending.get(partition)
            safe = min(pending) if pending else nxt
            if safe > self._committed.get(partition, -1):
                out[partition] = safe
        return out

    def mark_committed(self, offsets: dict[int, int]) -> None:
        self._committed.update(offsets)

    def forget(self, partition: int) -> None:
        """After a seek/rebalance: nothing of this partition is tracked any more."""
        for d in (self._pending, self._next, self._committed):
            d.pop(partition, None)
