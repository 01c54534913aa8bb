"""Bounded on-disk FIFO of encoded events, used while Kafka cannot take them.

Layout: SPOOL_DIR/{app_id}/000000000001.jsonl, ... one event (its exact Kafka value) per line.
New lines go to the newest ("active") segment; the drainer takes the oldest segment, sends it, then
deletes it or atomically rewrites it with only the lines Kafka did not acknowledge. So an event is
either in the spool or acknowledged, never both (except a crash between the ack and that rewrite,
which re-sends: the documented at-least-once edge; consumers dedupe by event_id).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

SEGMENT_SUFFIX = ".jsonl"


class Spool:
    def __init__(self, directory: Path, max_bytes: int, segment_bytes: int = 1024 * 1024):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.segment_bytes = max(1024, min(segment_bytes, max_bytes // 4))
        self._lock = threading.Lock()
        for leftover in self.directory.glob("*.tmp"):
            leftover.unlink()  # an interrupted rewrite; the segment it replaced is still intact
        self._sizes: dict[Path, int] = {}
        self._counts: dict[Path, int] = {}
        for seg in sorted(self.directory.glob("*" + SEGMENT_SUFFIX)):
            data = seg.read_bytes()
            self._sizes[seg] = len(data)
            self._counts[seg] = sum(1 for line in data.split(b"\n") if line)  # a torn last line counts too
        last = max((int(p.stem) for p in self._sizes), default=0)
        self._next_seq = last + 1
        self._active: Path | None = None  # segments found at start are all closed
        self.recovered = self.pending  # events left over by a previous process

    @property
    def pending(self) -> int:
        return sum(self._counts.values())

    @property
    def bytes(self) -> int:
        return sum(self._sizes.values())

    def append(self, lines: list[bytes]) -> int:
        """Append encoded events in order; returns how many fit (the rest are dropped by the caller)."""
        written = 0
        with self._lock:
            total = self.bytes
            for line in lines:
                record = line.rstrip(b"\n") + b"\n"
                if total + len(record) > self.max_bytes:
                    break
                seg = self._writable_segment(len(record))
                fd = os.open(seg, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    os.write(fd, record)
                finally:
                    os.close(fd)
                self._sizes[seg] = self._sizes.get(seg, 0) + len(record)
                self._counts[seg] = self._counts.get(seg, 0) + 1
                total += len(record)
                written += 1
        return written

    def _writable_segment(self, size: int) -> Path:
        if self._active is None or self._sizes.get(self._active, 0) + size > self.segment_bytes:
            self._active = self.directory / f"{self._next_seq:012d}{SEGMENT_SUFFIX}"
            self._next_seq += 1
        return self._active

    def oldest(self) -> tuple[Path, list[bytes]] | None:
        """The oldest segment and its lines, closing the active segment if it is the only one."""
        with self._lock:
            if not self._sizes:
                return None
            seg = min(self._sizes)
            if seg == self._active:
                self._active = None  # from now on appends go to a new segment
        lines = [ln for ln in seg.read_bytes().split(b"\n") if ln]
        return seg, lines

    def commit(self, seg: Path, remaining: list[bytes]) -> None:
        """Record that every line of `seg` except `remaining` reached Kafka."""
        with self._lock:
            if not remaining:
                seg.unlink(missing_ok=True)
                self._sizes.pop(seg, None)
                self._counts.pop(seg, None)
                return
            data = b"".join(line + b"\n" for line in remaining)
            tmp = seg.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, seg)
            self._sizes[seg] = len(data)
            self._counts[seg] = len(remaining)
