"""`lab trace EVENT_ID` | `lab trace --latest --app APP`: one event followed through every hop of the pipeline."""

from __future__ import annotations

import re
import sys

from activity_contract import names
from activity_contract.events import event_schema

from .conventions import FAILED, fail


def register(sub) -> None:
    p = sub.add_parser(
        "trace",
        help="follow one event through Kafka, the speed layer, the archive, Hive, the batch and the access log",
        description="Finds the event in Kafka (newest records first), then reads each system it passes with that "
        "system's own means: its Kafka partition, offset and broker time; the speed layer's markers and counters in "
        "HBase with their write times; its micro-batch, Parquet file and row in the archive; its row in Hive "
        "`events`; the page_stats_daily row it counts in; its request's access-log line on HDFS. Each hop with its "
        "delay after the event's time, or `not yet` / `not there`. A site page's event id is in its response's "
        "X-Lab-Event-Id header.",
    )
    p.add_argument("event_id", nargs="?", metavar="EVENT_ID", help="the event's id (a UUID)")
    p.add_argument("--latest", action="store_true", help="the newest event of --app in Kafka instead of an id")
    p.add_argument("--app", choices=list(names.APPS), help="with --latest: the site")
    p.add_argument(
        "--since",
        type=int,
        default=3600,
        metavar="SECONDS",
        help="how far back to look in Kafka (default 3600; the topic keeps KAFKA_RETENTION_HOURS)",
    )
    p.add_argument("--json", action="store_true", help="the hops as JSON (states, times, offsets, files)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.latest == bool(args.event_id):
        return fail("trace", "give an EVENT_ID, or --latest --app APP")
    if args.latest and not args.app:
        return fail("trace", "--latest needs --app (one of " + ", ".join(names.APPS) + ")")
    if args.event_id and not re.match(event_schema()["properties"]["event_id"]["pattern"], args.event_id):
        return fail("trace", f"{args.event_id!r} is not an event id (a lower-case UUID)")
    from kafka.errors import KafkaError

    from activity_clients.endpoints import kafka_bootstrap

    from ..trace import NotFound, find_record, trace
    from ..trace_report import as_json, render

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        record = find_record(args.event_id, args.app, args.since, progress)
    except NotFound as exc:
        return fail("trace", str(exc), FAILED)
    except (KafkaError, TimeoutError, OSError) as exc:  # the lab is down, or Kafka is starting
        return fail("trace", f"Kafka did not answer on {kafka_bootstrap()} ({exc or type(exc).__name__})", FAILED)
    hops = trace(record)
    print(as_json(record, hops) if args.json else "\n".join(render(record, hops)))
    return 0
