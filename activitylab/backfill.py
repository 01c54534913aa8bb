"""`lab backfill`: historical event files normalized into schema v1 and sent to `user-activity`.

The shape is picked by the file's extension (.csv shop, .jsonl news, .parquet learn; see
legacy_formats.py and docs/backfill.md). Every normalized event is validated against the schema;
valid ones go to `user-activity` keyed by user_id (acks=all, idempotent producer, the same event_id
on every load of the same file), rejected ones to `user-activity-dlq` as {"error", "raw"}, counted
and reported. `--dry-run` only reads, normalizes and validates.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from activity_clients import endpoints
from activity_contract import names
from activity_contract.events import validate_event
from activity_contract.names import TOPIC_DLQ, TOPIC_EVENTS
from activitylab.legacy_formats import READERS, SHAPES, WRITERS
from producers.sinks import encode_event

TOPIC, DLQ = TOPIC_EVENTS, TOPIC_DLQ


@dataclass
class BackfillReport:
    path: Path
    app: str
    read: int = 0
    sent: int = 0
    rejected: list = field(default_factory=list)  # (source reference, error)


def shape_of(path: Path) -> str:
    app = SHAPES.get(path.suffix.lower())
    if app is None:
        raise ValueError(f"{path}: unknown shape {path.suffix!r}; expected one of {', '.join(SHAPES)}")
    return app


def normalized(path: Path):
    """(reference, raw, event or None, error or None) for every record of the file."""
    for ref, raw, result in READERS[shape_of(path)](path):
        if isinstance(result, ValueError):
            yield ref, raw, None, str(result)
            continue
        errors = validate_event(result)
        if errors:
            yield ref, raw, None, "; ".join(f"{e.field}: {e.message}" for e in errors)
        else:
            yield ref, raw, result, None


def _producer(bootstrap: str):
    from kafka import KafkaProducer

    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=20,
        retries=2**31 - 1,
        max_in_flight_requests_per_connection=5,
    )


def backfill(paths: list[Path], bootstrap: str | None = None, dry_run: bool = False, out=print) -> list[BackfillReport]:
    producer = None if dry_run else _producer(bootstrap or endpoints.kafka_bootstrap())
    reports = []
    try:
        for path in paths:
            report = BackfillReport(path, shape_of(path))
            out(
                f"lab backfill: {path} ({report.app} {path.suffix[1:]} export)"
                + (" [dry run: nothing sent]" if dry_run else f" -> {TOPIC}")
            )
            pending, last_note = [], time.monotonic()
            for ref, raw, event, error in normalized(path):
                report.read += 1
                if error:
                    report.rejected.append((ref, error))
                    if producer:
                        body = {"error": f"backfill {path.name} {ref}: {error}", "raw": raw}
                        pending.append(producer.send(DLQ, value=json.dumps(body, ensure_ascii=False).encode()))
                    continue
                if producer:
                    pending.append(producer.send(TOPIC, key=event["user_id"].encode(), value=encode_event(event)))
                report.sent += 1
                if time.monotonic() - last_note >= 5:
                    last_note = time.monotonic()
                    out(f"  ... {report.read} records read")
            if producer:
                producer.flush(timeout=120)
                for future in pending:
                    future.get(timeout=60)  # raises if Kafka did not take a record: nothing is lost silently
            _print_report(report, dry_run, out)
            reports.append(report)
    finally:
        if producer:
            producer.close(timeout=30)
    return reports


def _print_report(report: BackfillReport, dry_run: bool, out) -> None:
    verb = "valid" if dry_run else f"sent to {TOPIC}"
    out(
        f"  {report.read} records: {report.sent} {verb}, {len(report.rejected)} rejected"
        + ("" if dry_run or not report.rejected else f" (sent to {DLQ})")
    )
    for ref, error in report.rejected[:10]:
        out(f"  rejected {ref}: {error}")
    if len(report.rejected) > 10:
        out(f"  ... and {len(report.rejected) - 10} more")


# ---------------------------------------------------------------------------------------------- sample files


def broken_records(app: str, path: Path) -> int:
    """Appends records a careful loader must reject (each for a reason it can name); returns how many."""
    if app == names.SHOP:
        with open(path, "a", encoding="utf-8") as f:
            f.write(
                "900001,2026-06-10 10:00:00.000,Mars/Olympus_Mons,shop-u01,s1,pageview,/,home,,,200,0.05,US,"
                "Austin,Desktop,Linux,Firefox,Mozilla/5.0\n"
            )
            f.write(
                "900002,2026-06-10 10:00:00.000,UTC,shop-u01,s1,pageview,/,home,,,200,fast,US,"
                "Austin,Desktop,Linux,Firefox,Mozilla/5.0\n"
            )
    elif app == names.NEWS:
        with open(path, "a", encoding="utf-8") as f:
            f.write('{"id": "truncated export line", "type": "pv", "ts": 17\n')
            f.write(
                json.dumps(
                    {"id": "b2c0ad50-5f7e-4a31-9c1e-0d6f1f2a3b4c", "type": "pv", "ts": "2026-06-10", "uid": "news-u01"}
                )
                + "\n"
            )
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        rows = table.to_pylist()
        first = dict(rows[0])
        rows.append(dict(first, event_id="not-a-uuid"))
        rows.append(dict(first, event_id="0a2e5c1d-9b7f-4e3a-8c6d-5f4e3d2c1b0a", event_type="teleport"))
        pq.write_table(type(table).from_pylist(rows, schema=table.schema), path)
    return 2


def make_samples(directory: Path, start: datetime, days: int, seed: int, out=print) -> dict[str, tuple[Path, list]]:
    """Writes one sample file per shape from the sites' own historical activity; returns {app: (path, events)}."""
    from producers.simulator.history import generate_events

    directory.mkdir(parents=True, exist_ok=True)
    made = {}
    for app, (write, name) in WRITERS.items():
        events = generate_events(app, start, days=days, seed=seed)
        path = directory / name
        write(events, path)
        bad = broken_records(app, path)
        out(
            f"  {path}: {len(events)} events of {app} from {events[0]['event_time']} to {events[-1]['event_time']}"
            f" + {bad} broken records"
        )
        made[app] = (path, events)
    return made
