"""`lab replay`: streams a web server's access log through the lab's log path into HDFS.

The same path as the sites' own logs: the lines are appended to a new file in the site's log folder
(`access-replay-<time>.log`, in the volume the sites write to), Flume's TAILDIR source tails it and
the HDFS sink files each line under /logs/{app}/access/dt=<the line's own UTC date>/.
Every line is parsed first: lines that do not parse never reach Flume (they would land under the
day they were read); each is counted and reported with its number and reason.
"""
from __future__ import annotations

import gzip
import json
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import flume
from .clf import parse_line

LOG_ROOT = "/site/logs"          # the site-data volume as the flume service mounts it
POSITIONS = "/data/flume/positions/access.json"


@dataclass
class ReplayReport:
    target: str
    read: int = 0
    replayed: int = 0
    by_date: Counter = field(default_factory=Counter)
    unparseable: list = field(default_factory=list)   # (line number, reason, raw line)


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def replay(app: str, fmt: str, source: Path, speed: float | None = None, rejects: Path | None = None,
           wait_timeout: float = 300, out=print) -> ReplayReport:
    container = flume.container()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = f"{LOG_ROOT}/{app}/access-replay-{stamp}.log"
    report = ReplayReport(target)
    out(f"lab replay: {source} ({fmt} log format) -> {target} in {container} -> Flume -> HDFS /logs/{app}/access/")
    writer = subprocess.Popen(["docker", "exec", "-i", container, "sh", "-c", f'cat > "{target}"'],
                              stdin=subprocess.PIPE)
    first_log_time, started, last_progress = None, time.monotonic(), time.monotonic()
    reject_file = open(rejects, "wb") if rejects else None
    try:
        with _open(source) as lines:
            for number, raw in enumerate(lines, start=1):
                report.read += 1
                # latin-1 maps every byte to one character: any byte sequence parses, and is written back unchanged.
                text = raw.rstrip(b"\r\n").decode("latin-1")
                try:
                    parsed = parse_line(text, fmt)
                except ValueError as exc:
                    report.unparseable.append((number, str(exc), text))
                    if reject_file:
                        reject_file.write(raw.rstrip(b"\r\n") + b"\n")
                    continue
                if speed:
                    first_log_time = first_log_time or parsed.time
                    due = started + (parsed.time - first_log_time).total_seconds() / speed
                    if due > time.monotonic():
                        writer.stdin.flush()  # what is due now goes out before we wait
                        time.sleep(max(0.0, due - time.monotonic()))
                writer.stdin.write(text.encode("latin-1") + b"\n")
                report.replayed += 1
                report.by_date[parsed.utc_date] += 1
                if time.monotonic() - last_progress >= 5:
                    last_progress = time.monotonic()
                    out(f"  ... {report.replayed} lines replayed, log time {parsed.time.isoformat()}")
        writer.stdin.close()
        if writer.wait(timeout=120) != 0:
            raise RuntimeError(f"writing {target} in {container} failed (exit {writer.returncode})")
    finally:
        if writer.poll() is None:
            writer.kill()
        if reject_file:
            reject_file.close()
    _print_report(report, app, rejects, out)
    if report.replayed:
        wait_shipped(container, target, wait_timeout, out)
    return report


def _print_report(report: ReplayReport, app: str, rejects: Path | None, out) -> None:
    out(f"  {report.read} lines read: {report.replayed} replayed, {len(report.unparseable)} unparseable")
    for date, n in sorted(report.by_date.items()):
        out(f"    /logs/{app}/access/dt={date}/  {n} lines")
    for number, reason, text in report.unparseable[:5]:
        out(f"  unparseable line {number}: {reason}: {text[:120]!r}")
    if len(report.unparseable) > 5:
        out(f"  ... and {len(report.unparseable) - 5} more unparseable lines"
            + (f" (all in {rejects})" if rejects else " (--rejects FILE keeps them all)"))
    elif report.unparseable and rejects:
        out(f"  unparseable lines kept in {rejects}")


def _read_position(container: str, target: str) -> tuple[int, int | None]:
    """(file size, TAILDIR's saved position in it, or None before it saved one)."""
    script = ("import json, os, sys\n"
              "pos = next((p['pos'] for p in json.load(open(sys.argv[2])) if p['file'] == sys.argv[1]), None) "
              "if os.path.exists(sys.argv[2]) else None\n"
              "print(json.dumps([os.path.getsize(sys.argv[1]), pos]))\n")
    proc = subprocess.run(["docker", "exec", container, "python3", "-c", script, target, POSITIONS],
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise RuntimeError(f"reading Flume's position in {target} failed: {proc.stderr.strip()[-300:]}")
    return tuple(json.loads(proc.stdout))


def wait_shipped(container: str, target: str, timeout: float, out=print) -> None:
    """Until TAILDIR has read the file to its end, then until the sink has written what the channel held then."""
    deadline, last_note = time.monotonic() + timeout, 0.0
    while True:
        size, pos = _read_position(container, target)
        if pos == size:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"Flume has not read {target} after {timeout:.0f} s: read {pos} of {size} bytes "
                               "(see `docker compose logs flume`)")
        if time.monotonic() - last_note >= 5:
            last_note = time.monotonic()
            out(f"  waiting for Flume: read {pos or 0} of {size} bytes")
        time.sleep(1)
    flume.wait_channel_written(max(1.0, deadline - time.monotonic()))
    out("  shipped: Flume has read the whole file and written it to HDFS "
        "(files close after FLUME_ROLL_SECONDS; open ones are the hidden _*.tmp)")
