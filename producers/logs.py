"""The three per-site log files Flume tails: access (Combined Log Format), error, perf (JSON lines).

Each record is one os.write() on an O_APPEND descriptor, so lines from several threads or gunicorn
workers never interleave and no lock is held across a request. A file renamed away (external
rotation) is noticed within a second and reopened.

Size-based rotation (SITE_LOG_MAX_BYTES; also POST /admin/logs/rotate): the file is renamed to
`{kind}-{UTC time}.log`, a name Flume's TAILDIR groups still match, so Flume goes on reading the same inode
to its end (with the project's patch to TAILDIR, flume/README.md) and then the new file: no line lost or read
twice. Flume's container deletes a rotated file once it has shipped all of it (compose/bin/flume-janitor).
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from activity_contract.events import format_event_time

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class AppendLog:
    REOPEN_CHECK_S = 1.0
    RETIRE_S = 5.0  # a replaced descriptor stays open this long: a thread may still be writing through it

    def __init__(self, path: Path, max_bytes: int = 0):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes  # 0: never rotate
        self._lock = threading.Lock()
        self._fd = self._open()
        self._size = os.fstat(self._fd).st_size
        self._retired: list[tuple[float, int]] = []
        self._checked = time.monotonic()

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, text: str) -> None:
        if not text.endswith("\n"):
            text += "\n"
        data = text.encode("utf-8", "replace")
        fd = self._current_fd()
        size = len(data)
        while data:
            written = os.write(fd, data)
            data = data[written:]
        if self.max_bytes:
            with self._lock:
                self._size += size
                due = self._size >= self.max_bytes
            if due:
                self.rotate()

    def rotate(self) -> Path | None:
        """Renames the file to `{stem}-{UTC time}{suffix}` and goes on in a new one; the new name, or None
        when the file is empty."""
        with self._lock:
            if os.fstat(self._fd).st_size == 0:
                return None
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            target = self.path.with_name(f"{self.path.stem}-{stamp}{self.path.suffix}")
            while target.exists():  # two rotations within a microsecond
                target = target.with_name(f"{target.stem}x{self.path.suffix}")
            os.rename(self.path, target)
            self._replace_fd()
            return target

    def _replace_fd(self) -> None:
        """Opens the path anew; the old descriptor is closed a few seconds later, not now: another thread
        may be inside os.write() with it (its line then lands at the end of the renamed file)."""
        now = time.monotonic()
        old, self._fd = self._fd, self._open()
        self._size = os.fstat(self._fd).st_size
        self._retired.append((now, old))
        while self._retired and now - self._retired[0][0] > self.RETIRE_S:
            os.close(self._retired.pop(0)[1])

    def _current_fd(self) -> int:
        now = time.monotonic()
        if now - self._checked < self.REOPEN_CHECK_S:
            return self._fd
        with self._lock:
            self._checked = now
            try:
                same = os.stat(self.path).st_ino == os.fstat(self._fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                self._replace_fd()
            return self._fd

    def close(self) -> None:
        with self._lock:
            for fd in [self._fd] + [fd for _, fd in self._retired]:
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._retired = []


def clf_time(dt: datetime) -> str:
    """`23/Nov/2026:19:34:05 +0000`, month names fixed in English whatever the locale."""
    utc = dt.astimezone(UTC)
    return f"{utc.day:02d}/{_MONTHS[utc.month - 1]}/{utc.year}:{utc:%H:%M:%S} +0000"


def _quoted(value: str | None) -> str:
    if not value:
        return "-"
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def combined_log_line(
    *,
    host: str,
    user: str | None,
    time: datetime,
    method: str,
    uri: str,
    protocol: str,
    status: int,
    size: int | None,
    referer: str | None,
    user_agent: str | None,
) -> str:
    return (
        f"{host or '-'} - {user or '-'} [{clf_time(time)}] "
        f'"{method} {uri.replace(" ", "%20") or "/"} {protocol}" {status} {size if size else "-"} '
        f'"{_quoted(referer)}" "{_quoted(user_agent)}"'
    )


class SiteLogs:
    """access.log, error.log and perf.log of one site, under LOG_DIR/{app_id}/."""

    def __init__(self, directory: Path, app_id: str, max_bytes: int = 0):
        self.app_id = app_id
        self.directory = Path(directory)
        self.access = AppendLog(self.directory / "access.log", max_bytes)
        self.errors = AppendLog(self.directory / "error.log", max_bytes)
        self.perf = AppendLog(self.directory / "perf.log", max_bytes)

    def rotate(self) -> list[str]:
        """Rotates the three logs now; the names of the rotated files (empty ones are not rotated)."""
        return [p.name for log in (self.access, self.errors, self.perf) if (p := log.rotate())]

    def access_line(self, **fields: Any) -> None:
        self.access.write(combined_log_line(**fields))

    def perf_line(self, record: dict[str, Any]) -> None:
        self.perf.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False))

    def error(self, message: str, exc: BaseException | None = None, level: str = "ERROR") -> None:
        """One entry = one write: header line plus the traceback, so entries never interleave."""
        text = f"{format_event_time(datetime.now(UTC))} {level} {self.app_id} [pid {os.getpid()}] {message}\n"
        if exc is not None:
            text += "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.errors.write(text)

    def close(self) -> None:
        for log in (self.access, self.errors, self.perf):
            log.close()
