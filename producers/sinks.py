"""What a site hands its events to, and an in-memory implementation for unit tests."""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol


class EventSink(Protocol):
    def emit(self, event: dict[str, Any]) -> None:
        """Take a valid event; must never block the request (queue or spool it)."""

    def reject(self, error: str, raw: str) -> None:
        """Record a body /collect refused (dead-letter topic, best effort)."""

    def counters(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


def encode_event(event: dict[str, Any]) -> bytes:
    """The exact Kafka value of an event; spooled as-is so a resend is byte-identical."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class MemorySink:
    """Unit tests only: keeps everything in lists, everything counts as produced."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.rejected: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def emit(self, event: dict[str, Any]) -> None:
        with self._lock:
            self.events.append(event)

    def reject(self, error: str, raw: str) -> None:
        with self._lock:
            self.rejected.append({"error": error, "raw": raw})

    def counters(self) -> dict[str, Any]:
        with self._lock:
            n = len(self.events)
            return {
                "emitted": n,
                "produced": n,
                "spooled": 0,
                "spool_dropped": 0,
                "send_errors": 0,
                "queued": 0,
                "in_flight": 0,
                "spool_pending": 0,
                "spool_bytes": 0,
                "dlq_sent": len(self.rejected),
                "dlq_dropped": 0,
                "kafka_connected": True,
            }

    def page_views(self) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.events if e["event_type"] == "page_view"]

    def close(self) -> None:
        pass
