"""`lab backfill` of the three historical shapes: every valid record arrives in `user-activity` as a v1 event equal
to the activity it was exported from (times and latencies converted back exactly), every broken one in the DLQ."""

import json
import random
import subprocess
import sys
import uuid
from datetime import UTC, datetime

from conftest import ROOT

from activity_contract.events import validate_event
from activitylab.legacy_formats import SHOP_ROW_NAMESPACE
from lab_sites import consumer_at_end, drain
from producers.simulator.history import generate_events

START = datetime(2026, 6, 10, tzinfo=UTC)  # a window with no daylight-saving change in any sample zone


def in_time_order(events):
    return sorted(events, key=lambda e: (e["event_time"], e["session_id"]))  # times within a session differ


def lab(*args):
    run = subprocess.run(
        [sys.executable, "-m", "activitylab.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_backfill_of_csv_jsonl_and_parquet_yields_the_source_events(tmp_path):
    seed = random.randrange(1, 10**9)  # fresh ids each run: the topic keeps earlier runs' events
    lab("backfill", "--make-samples", str(tmp_path), "--start", "2026-06-10", "--days", "2", "--seed", str(seed))
    files = {
        "shop": tmp_path / "shop-orders-export.csv",
        "news": tmp_path / "news-cms-events.jsonl",
        "learn": tmp_path / "learn-lake-events.parquet",
    }
    source = {app: generate_events(app, START, days=2, seed=seed) for app in files}
    total = sum(len(events) for events in source.values())

    topic, dlq = consumer_at_end("user-activity"), consumer_at_end("user-activity-dlq")
    out = lab("backfill", *map(str, files.values()))
    for events in source.values():
        assert f"{len(events) + 2} records: {len(events)} sent to user-activity, 2 rejected" in out, out

    sessions = {e["session_id"] for events in source.values() for e in events}

    def mine(msgs):
        return [m for m in msgs if json.loads(m.value)["session_id"] in sessions]

    messages = mine(drain(topic, lambda msgs: len(mine(msgs)) >= total, timeout=120))
    rejects = drain(dlq, lambda msgs: len([m for m in msgs if b"backfill " in m.value]) >= 6, timeout=60)
    topic.close()
    dlq.close()

    assert len(messages) == total
    for m in messages:
        event = json.loads(m.value)
        assert validate_event(event) == [], event
        assert m.key.decode() == event["user_id"]
    arrived = {app: [json.loads(m.value) for m in messages if json.loads(m.value)["app_id"] == app] for app in files}
    for app, events in source.items():
        got, want = in_time_order(arrived[app]), in_time_order(events)
        if app == "shop":  # the CSV carries its own row ids, not the events' ids: ids are uuid5(row id)
            assert {e["event_id"] for e in got} == {
                str(uuid.uuid5(SHOP_ROW_NAMESPACE, str(i))) for i in range(1, len(events) + 1)
            }
            got = [dict(e, event_id=None) for e in got]
            want = [dict(e, event_id=None) for e in want]
        assert got == want, app  # every field, event_time and latency_ms included

    dead = [json.loads(m.value) for m in rejects if b"backfill " in m.value]
    assert len(dead) == 6 and all(set(d) == {"error", "raw"} for d in dead)
    reasons = " | ".join(d["error"] for d in dead)
    for reason in (
        "unknown zone 'Mars/Olympus_Mons'",
        "response_time_s: 'fast'",
        "invalid JSON",
        "ts: '2026-06-10' is not epoch milliseconds",
        "event_id: 'not-a-uuid'",
        "event_type: 'teleport'",
    ):
        assert reason in reasons
