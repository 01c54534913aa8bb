"""What `lab trace` reports, and the pure parts of finding it: the hops of one event, where the speed layer must have
marked it, which access-log line is its request, and the report as text or JSON (activitylab/trace.py reads the
systems)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from activity_contract import names
from activity_contract.events import parse_event_time

from .clf import parse_line

THERE, NOT_YET, NOT_THERE, UNKNOWN = "there", "not yet", "not there", "unknown"


@dataclass
class Hop:
    name: str
    state: str  # THERE, NOT_YET (it will arrive), NOT_THERE (it will not), UNKNOWN (the system did not answer)
    at_ms: int | None = None  # when it arrived, by the system's own clock (a timestamp it keeps)
    lines: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # what the JSON report adds: offsets, files, rows


@dataclass
class KafkaRecord:
    partition: int
    offset: int
    timestamp_ms: int
    timestamp_type: str  # "broker" (LogAppendTime, the lab's setting) or "producer" (CreateTime)
    event: dict


def event_ms(event: dict) -> int:
    return int(parse_event_time(event["event_time"]).timestamp() * 1000)


def day_of(event: dict) -> str:
    """The event's UTC day: its partition in the archive and in every daily table."""
    return parse_event_time(event["event_time"]).strftime("%Y-%m-%d")


def speed_rows(event: dict) -> list[tuple[str, bytes, list[bytes]]]:
    """(table, row, counter columns) the speed layer writes the event's marker into, with the counters it changed
    there (the same as storm_topology/speedlayer/routing.counter_updates, tied by tests/unit/test_trace.py); the
    session row is looked up by the event's session id (sessions split after an idle gap get `.N`)."""
    when = parse_event_time(event["event_time"])
    app = event["app_id"]
    rows = [(names.T_MINUTE_STATS, names.minute_row(app, when), [names.C_EVENTS, names.C_PAGE_VIEWS, names.C_ERRORS])]
    if event["event_type"] == "page_view":
        day = names.day_views_column(when)
        rows.append((names.T_PAGE_COUNTS, names.page_row(app, event["page"]), [names.C_VIEWS, day]))
    rows.append((names.T_USER_RECENT_PAGES, event["user_id"].encode(), []))
    return rows


def is_its_request(line: str, event: dict) -> bool:
    """Whether an access-log line (combined format, as the sites write it) is the request that made this page view:
    same user, same second, same path and status."""
    try:
        parsed = parse_line(line, "combined")
    except ValueError:
        return False
    when = parse_event_time(event["event_time"]).replace(microsecond=0)
    return (
        parsed.user == event["user_id"]
        and parsed.time.astimezone(UTC) == when
        and (parsed.path or "").split("?", 1)[0] == event["page"]
        and parsed.status == event["http_status"]
    )


def delay(at_ms: int | None, since_ms: int) -> str:
    if at_ms is None:
        return ""
    seconds = (at_ms - since_ms) / 1000
    return f"{seconds:+.3f} s" if abs(seconds) < 10 else f"{seconds:+.1f} s"


def clock(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"


def render(record: KafkaRecord, hops: list[Hop]) -> list[str]:
    e, since = record.event, event_ms(record.event)
    head = (
        f"event {e['event_id']}: {e['event_type']} of {e['app_id']} {e['page']} by {e['user_id']} "
        f"at {e['event_time']} (status {e['http_status']})"
    )
    width = max(len(h.name) for h in hops)
    out = [head, f"  {'hop'.ljust(width)}  {'state':9}  after the event"]
    for hop in hops:
        out.append(f"  {hop.name.ljust(width)}  {hop.state:9}  {delay(hop.at_ms, since)}".rstrip())
        out.extend(f"  {'':{width}}    {line}" for line in hop.lines)
    return out


def as_json(record: KafkaRecord, hops: list[Hop]) -> str:
    since = event_ms(record.event)
    return json.dumps(
        {
            "event": record.event,
            "kafka": {k: v for k, v in asdict(record).items() if k != "event"},
            "hops": [{**asdict(h), "delay_ms": None if h.at_ms is None else h.at_ms - since} for h in hops],
        },
        indent=2,
    )
