"""`lab replay`: streams a web server's access log through the lab's log path into HDFS.

The same path as the sites' own logs: the lines are appended to a new file in the site's log folder
(`access-replay-<time>.log`, in the volume the sites write to), Flume's TAILDIR source tails it and
the HDFS sink files each line under /logs/{app}/access/dt=<the line's own UTC date>/.
Every line is parsed first: lines that do not parse never reach Flume (they would land under the
day they were read); each is counted and reported with its number and reason. The format is named or
detected from the first lines (clf.detect); lines are shipped as written, extra fields included.

A file is replayed once per site: a ledger entry in HDFS (/logs/_replays/<app>/<sha256 of the file>.json),
written before the first line and completed once Flume has shipped the last one, makes a second replay of
the same content refuse (`--force` replays anyway). The copy in the site volume is removed once shipped.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import flume, webhdfs
from .clf import detect, parse_line

LOG_ROOT = "/site/logs"  # the site-data volume as the flume service mounts it
POSITIONS = "/data/flume/positions/access.json"
LEDGER = "/logs/_replays"  # one JSON file per replayed (site, file content)


class ReplayRefused(RuntimeError):
    """The file cannot or must not be replayed (already replayed, format unknown); nothing was sent."""


@dataclass
class ReplayReport:
    target: str
    read: int = 0
    replayed: int = 0
    by_date: Counter = field(default_factory=Counter)
    unparseable: list = field(default_factory=list)  # (line number, reason, raw line)


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _lines(path: Path):
    """The file's lines as text, without line ends. latin-1 maps every byte to one character: any byte
    sequence parses, and is written back unchanged."""
    with _open(path) as f:
        for raw in f:
            yield raw.rstrip(b"\r\n").decode("latin-1")


def choose_format(fmt: str, source: Path, out=print) -> str:
    """`fmt`, or for "auto" the format clf.detect finds in the file's first lines (saying which and why)."""
    if fmt != "auto":
        return fmt
    found = detect(_lines(source))
    if found.format is None:
        raise ReplayRefused(
            f"cannot tell the log format of {source}: {found.reason()}. Name it with --format "
            "(docs/access-log-formats.md shows an example line of each)"
        )
    out(f"lab replay: format {found.format}, detected: {found.reason()}")
    return found.format


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ledger_path(app: str, digest: str) -> str:
    return f"{LEDGER}/{app}/{digest}.json"


def check_not_replayed(app: str, source: Path, digest: str) -> None:
    """Refuses a file whose content the ledger says was replayed into this site (or began to be)."""
    found = webhdfs.read_if_exists(ledger_path(app, digest))
    if found is None:
        return
    entry = json.loads(found)
    when = entry.get("shipped_at") or entry.get("started_at")
    done = (
        f"replayed on {when}: {entry.get('replayed')} lines shipped to /logs/{app}/access/"
        if entry.get("state") == "shipped"
        else f"began to be replayed on {when} and did not finish (its lines may be partly in HDFS)"
    )
    first = "" if entry.get("source") == str(source) else f", first replayed as {entry.get('source')}"
    raise ReplayRefused(
        f"{source} (sha256 {digest[:12]}…{first}) {done}; "
        "nothing sent. --force replays it again, and its lines are then in HDFS twice"
    )


def replay(
    app: str,
    fmt: str,
    source: Path,
    speed: float | None = None,
    rejects: Path | None = None,
    wait_timeout: float = 300,
    force: bool = False,
    out=print,
) -> ReplayReport:
    digest = file_digest(source)
    if not force:
        check_not_replayed(app, source, digest)
    fmt = choose_format(fmt, source, out)
    container = flume.container()
    started_at = datetime.now(UTC)
    target = f"{LOG_ROOT}/{app}/access-replay-{started_at.strftime('%Y%m%dT%H%M%S%fZ')}-{digest[:12]}.log"
    report = ReplayReport(target)
    entry: dict[str, object] = {
        "source": str(source),
        "sha256": digest,
        "app": app,
        "format": fmt,
        "target": target,
        "started_at": started_at.isoformat(timespec="seconds"),
        "state": "started",
    }
    webhdfs.put(ledger_path(app, digest), json.dumps(entry).encode())
    out(f"lab replay: {source} ({fmt} log format) -> {target} in {container} -> Flume -> HDFS /logs/{app}/access/")
    writer = subprocess.Popen(
        ["docker", "exec", "-i", container, "sh", "-c", f'cat > "{target}"'], stdin=subprocess.PIPE
    )
    assert writer.stdin is not None  # stdin=PIPE
    stdin = writer.stdin
    first_log_time, started, last_progress = None, time.monotonic(), time.monotonic()
    reject_file = open(rejects, "wb") if rejects else None
    try:
        for number, text in enumerate(_lines(source), start=1):
            report.read += 1
            try:
                parsed = parse_line(text, fmt)
            except ValueError as exc:
                report.unparseable.append((number, str(exc), text))
                if reject_file:
                    reject_file.write(text.encode("latin-1") + b"\n")
                continue
            if speed:
                first_log_time = first_log_time or parsed.time
                due = started + (parsed.time - first_log_time).total_seconds() / speed
                if due > time.monotonic():
                    stdin.flush()  # what is due now goes out before we wait
                    time.sleep(max(0.0, due - time.monotonic()))
            stdin.write(text.encode("latin-1") + b"\n")
            report.replayed += 1
            report.by_date[parsed.utc_date] += 1
            if time.monotonic() - last_progress >= 5:
                last_progress = time.monotonic()
                out(f"  ... {report.replayed} lines replayed, log time {parsed.time.isoformat()}")
        stdin.close()
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
    subprocess.run(["docker", "exec", container, "rm", "-f", target], check=True, capture_output=True, timeout=60)
    if report.replayed:
        entry.update(
            state="shipped",
            shipped_at=datetime.now(UTC).isoformat(timespec="seconds"),
            replayed=report.replayed,
            unparseable=len(report.unparseable),
            by_date=dict(report.by_date),
        )
        webhdfs.put(ledger_path(app, digest), json.dumps(entry).encode())
    else:  # nothing sent: the file may be replayed again (with the right --format)
        webhdfs.delete(ledger_path(app, digest))
    return report


def _print_report(report: ReplayReport, app: str, rejects: Path | None, out) -> None:
    out(f"  {report.read} lines read: {report.replayed} replayed, {len(report.unparseable)} unparseable")
    for date, n in sorted(report.by_date.items()):
        out(f"    /logs/{app}/access/dt={date}/  {n} lines")
    for number, reason, text in report.unparseable[:5]:
        out(f"  unparseable line {number}: {reason}: {text[:120]!r}")
    if len(report.unparseable) > 5:
        out(
            f"  ... and {len(report.unparseable) - 5} more unparseable lines"
            + (f" (all in {rejects})" if rejects else " (--rejects FILE keeps them all)")
        )
    elif report.unparseable and rejects:
        out(f"  unparseable lines kept in {rejects}")


# Flume rewrites the positions file in place (truncate, then write): read mid-write it is empty or cut short,
# which means "no position known this moment", as before the first write; the caller polls again.
POSITION_SCRIPT = (
    "import json, os, sys\n"
    "try:\n"
    "    pos = next((p['pos'] for p in json.load(open(sys.argv[2])) if p['file'] == sys.argv[1]), None)\n"
    "except (OSError, ValueError):\n"
    "    pos = None\n"
    "print(json.dumps([os.path.getsize(sys.argv[1]), pos]))\n"
)


def _read_position(container: str, target: str) -> tuple[int, int | None]:
    """(file size, TAILDIR's saved position in it, or None before it saved one)."""
    proc = subprocess.run(
        ["docker", "exec", container, "python3", "-c", POSITION_SCRIPT, target, POSITIONS],
        capture_output=True,
        text=True,
        timeout=60,
    )
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
            raise RuntimeError(
                f"Flume has not read {target} after {timeout:.0f} s: read {pos} of {size} bytes "
                "(see `docker compose logs flume`)"
            )
        if time.monotonic() - last_note >= 5:
            last_note = time.monotonic()
            out(f"  waiting for Flume: read {pos or 0} of {size} bytes")
        time.sleep(1)
    flume.wait_channel_written(max(1.0, deadline - time.monotonic()))
    out(
        "  shipped: Flume has read the whole file and written it to HDFS "
        "(files close after FLUME_ROLL_SECONDS; open ones are the hidden _*.tmp)"
    )
