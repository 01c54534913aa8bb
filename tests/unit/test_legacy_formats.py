"""The three backfill shapes: exact round trips, the local-time rules, and a named reason for every rejected record."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from activitylab.backfill import normalized
from activitylab.legacy_formats import (
    SHOP_COLUMNS,
    SHOP_ROW_NAMESPACE,
    read_learn_parquet,
    read_news_jsonl,
    read_shop_csv,
    shop_local_to_utc,
    write_learn_parquet,
    write_news_jsonl,
    write_shop_csv,
)
from producers.simulator.history import generate_events


def events_for(app, event):
    return [
        event(app_id=app, user_id=f"{app}-u01", event_time="2026-06-10T23:59:59.999Z", latency_ms=0.001),
        event(
            app_id=app,
            user_id=f"{app}-u02",
            event_time="2026-03-29T00:30:00.000Z",
            latency_ms=1234.567,
            referrer=None,
            target=None,
            country="BR",
            city="São Paulo",
        ),
        event(
            app_id=app,
            user_id=f"{app}-u03",
            event_type="add_to_cart",
            target="42",
            latency_ms=17.5,
            country="JP",
            city="Tokyo",
        ),
    ]


@pytest.mark.parametrize(
    "app, write, read, name",
    [
        ("shop", write_shop_csv, read_shop_csv, "x.csv"),
        ("news", write_news_jsonl, read_news_jsonl, "x.jsonl"),
        ("learn", write_learn_parquet, read_learn_parquet, "x.parquet"),
    ],
)
def test_each_shape_round_trips_exactly(tmp_path, event, app, write, read, name):
    events = events_for(app, event)
    write(events, tmp_path / name)
    back = [result for _, _, result in read(tmp_path / name)]
    if app == "shop":  # the CSV has row ids instead of event ids
        assert [e["event_id"] for e in back] == [str(uuid.uuid5(SHOP_ROW_NAMESPACE, str(i))) for i in (1, 2, 3)]
        back = [dict(e, event_id=o["event_id"]) for e, o in zip(back, events, strict=True)]
    assert back == events


def test_shop_csv_holds_local_times_and_seconds(tmp_path, event):
    write_shop_csv(
        [event(app_id="shop", event_time="2026-06-10T12:00:00.250Z", latency_ms=62.345, country="FR", city="Paris")],
        tmp_path / "x.csv",
    )
    row = (tmp_path / "x.csv").read_text().splitlines()[1].split(",")
    cells = dict(zip(SHOP_COLUMNS, row, strict=True))
    assert (cells["local_time"], cells["time_zone"], cells["response_time_s"]) == (
        "2026-06-10 14:00:00.250",
        "Europe/Paris",
        "0.062345",
    )


@pytest.mark.parametrize(
    "local, zone, utc",
    [
        ("2026-06-10 14:03:22.123", "Europe/Paris", "2026-06-10T12:03:22.123Z"),
        ("2026-01-01 00:00:00.000", "Asia/Kolkata", "2025-12-31T18:30:00.000Z"),
        ("2026-11-01 01:30:00.000", "America/New_York", "2026-11-01T05:30:00.000Z"),  # repeated hour: first (EDT)
        (
            "2026-03-08 02:30:00.000",
            "America/New_York",
            "2026-03-08T07:30:00.000Z",
        ),  # skipped hour: offset before (EST)
    ],
)
def test_shop_local_times_to_utc(local, zone, utc):
    assert shop_local_to_utc(local, zone) == utc


def test_news_ts_is_epoch_milliseconds(tmp_path, event):
    write_news_jsonl(
        [event(app_id="news", event_type="page_view", event_time="2001-09-09T01:46:40.123Z")], tmp_path / "x.jsonl"
    )
    record = json.loads((tmp_path / "x.jsonl").read_text())
    assert record["ts"] == 1_000_000_000_123 and record["type"] == "pv"


def test_rejected_records_name_their_reason(tmp_path, event):
    csv_path = tmp_path / "bad.csv"
    write_shop_csv(events_for("shop", event)[:1], csv_path)
    good_row = csv_path.read_text().splitlines()[1]
    with open(csv_path, "a") as f:
        f.write(good_row.replace("2026-06-1", "10/06/2026 0", 1).replace("1,", "2,", 1) + "\n")
        f.write("3,only,three\n")
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text('[1, 2]\n\n{"id": "x"}\nnot json\n')
    errors = [err for _, _, _, err in normalized(csv_path)] + [err for _, _, _, err in normalized(jsonl)]
    assert errors[0] is None
    assert errors[1].startswith("local_time: '10/06/2026 0")
    assert errors[2] == "visitor_id: missing column"  # a row of three cells
    assert errors[3:] == ["line: not a JSON object", "ts: missing field", "line: invalid JSON (Expecting value)"]


def test_a_schema_violation_after_normalizing_is_rejected_with_the_field(tmp_path, event):
    write_news_jsonl([dict(event(app_id="news"), http_status=42)], tmp_path / "x.jsonl")
    [(_, _, result, error)] = list(normalized(tmp_path / "x.jsonl"))
    assert result is None and error.startswith("http_status:")


def test_history_is_deterministic_and_valid():
    start = datetime(2026, 6, 10, tzinfo=UTC)
    a = generate_events("shop", start, days=1, users=2, seed=9)
    assert a == generate_events("shop", start, days=1, users=2, seed=9)
    assert a != generate_events("shop", start, days=1, users=2, seed=10)
    assert {e["user_id"] for e in a} == {"shop-u01", "shop-u02"}
    assert all("2026-06-10T" <= e["event_time"] < "2026-06-11T01" for e in a)
    assert {"page_view", "click"} <= {e["event_type"] for e in a}
