"""The cold archive's state for `lab status`: what the spark-streaming driver writes to its status file
(spark_jobs/stream_archive.py) after each of its 10-second checks."""

from __future__ import annotations

import json
import time

from .compose import exec_in


def read_status() -> dict | None:
    """The driver's status file, wherever the service's STREAM_STATUS_FILE (compose.yaml) puts it."""
    proc = exec_in("spark-streaming", "sh", "-c", 'cat "$STREAM_STATUS_FILE"', timeout=30)
    return json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout.strip() else None


def status_lines(status: dict | None, now: float | None = None) -> list[str]:
    if status is None:
        return ["no status yet (the driver is starting: docker compose logs spark-streaming)"]
    now = time.time() if now is None else now
    lines = []
    for name, q in status["queries"].items():
        state = "running" if q["active"] else "STOPPED"
        batch = (
            "no batch yet"
            if q["batch"] is None
            else f"batch {q['batch']} at {q['progress_at']} ({q['input_rows']} rows)"
        )
        lines.append(f"query {name:<15} {state}, {batch}")
    t = status["totals"]
    lines.append(
        f"since the driver started: {t['events']} events archived, {t['rejected']} invalid put aside "
        f"(Hive rejected_events), {t['late_dropped']} too late for the minute metrics"
    )
    pending = {table: dts for table, dts in status.get("pending_partitions", {}).items() if dts}
    if pending:
        lines.append(f"Hive partitions not added yet (metastore unreachable?): {pending}")
    age = now - status["written_at"]
    if age > 60:
        lines.append(f"status written {age:.0f} s ago: the driver is not checking in")
    return lines
