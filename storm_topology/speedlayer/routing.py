"""Validation of Kafka messages against the v1 schema and the updates each valid event makes.

One definition of "valid" (activity_contract.events, the one the sites use); an invalid message becomes a
DLQ record naming the reason, never an exception.
"""

from __future__ import annotations

import json
from typing import Any

from activity_contract import names
from activity_contract.events import parse_event_json, parse_event_time

MAX_RAW_CHARS = 65536  # a DLQ record carries at most this much of the original message


def parse(text: str) -> tuple[dict | None, str | None]:
    """(event, None) for a valid v1 event, else (None, reason): every field error, `field: message; ...`."""
    obj, errors = parse_event_json(text)
    if errors:
        return None, "; ".join(str(e) for e in errors)
    return obj, None


def dlq_record(raw: str, reason: str) -> bytes:
    """The contract's DLQ shape: {"error": reason, "raw": the original message (cut at MAX_RAW_CHARS)}."""
    if len(raw) > MAX_RAW_CHARS:
        raw, reason = raw[:MAX_RAW_CHARS], reason + f" (raw cut to {MAX_RAW_CHARS} characters)"
    return json.dumps({"error": reason, "raw": raw}, ensure_ascii=False).encode("utf-8")


def is_error(event: dict) -> bool:
    return event["http_status"] >= 500


def counter_updates(event: dict) -> list[tuple[str, dict[str, int]]]:
    """(grouping key "table|row", {column: delta}) for page_counts and minute_stats.

    page_counts counts page views per page, in all (`views`) and per UTC day of the event (`views_yyyyMMdd`, what
    the batch layer's drift compares with); minute_stats counts every event, its page views and its 5xx, in the
    minute of its own event_time (UTC).
    """
    app, when = event["app_id"], parse_event_time(event["event_time"])
    page_view = event["event_type"] == "page_view"
    minute = {"events": 1, "page_views": int(page_view), "errors": int(is_error(event))}
    out = [(key_of(names.T_MINUTE_STATS, names.minute_row(app, when)), minute)]
    if page_view:
        out.append(
            (
                key_of(names.T_PAGE_COUNTS, names.page_row(app, event["page"])),
                {"views": 1, names.day_views_qualifier(when): 1},
            )
        )
    return out


def key_of(table: str, row: bytes) -> str:
    return f"{table}|{row.decode()}"


def split_key(key: str) -> tuple[str, bytes]:
    table, row = key.split("|", 1)
    return table, row.encode()


def site_sample(event: dict) -> dict[str, Any]:
    """What the alerting bolt keeps of an event."""
    return {
        "event_id": event["event_id"],
        "time_ms": event_ms(event),
        "page_view": event["event_type"] == "page_view",
        "status": event["http_status"],
        "latency_ms": event["latency_ms"],
    }


def event_ms(event: dict) -> int:
    return int(parse_event_time(event["event_time"]).timestamp() * 1000)
