"""The streaming archive's pure parts: where a batch's files go, and the contract's verdict on a Kafka message."""

import json

import pytest

from activity_contract.events import message_error
from archive_paths import batch_prefix, checkpoint_dir, dt_of_folder, partition_dir, published_name, staging_dir
from event_cases import valid_event


def test_published_names_carry_the_batch_and_sort_in_arrival_order():
    assert published_name(7, 0) == "part-b0000000007-00000.parquet"
    assert published_name(7, 0).startswith(batch_prefix(7))
    names = [published_name(b, i) for b in (9, 10, 123) for i in (0, 1)]
    assert names == sorted(names)
    # a batch's prefix never matches another batch's files (the redo deletes by prefix)
    assert not published_name(12, 0).startswith(batch_prefix(1))
    with pytest.raises(ValueError):
        batch_prefix(-1)


def test_partition_folders_and_staging_stay_apart():
    assert partition_dir("/data/raw/events", "2026-12-02") == "/data/raw/events/dt=2026-12-02"
    with pytest.raises(ValueError):
        partition_dir("/data/raw/events", "2026-12-02/../x")
    assert dt_of_folder("dt=2026-12-02") == "2026-12-02"
    assert dt_of_folder("_SUCCESS") is None and dt_of_folder("dt=today") is None
    assert not staging_dir("archive", 3).startswith("/data/raw/")
    assert checkpoint_dir("archive") != checkpoint_dir("minute-metrics")


def test_message_error_is_none_for_a_valid_event_and_names_the_field_otherwise():
    event = valid_event()
    assert message_error(json.dumps(event).encode()) is None
    assert message_error(bytearray(json.dumps(event).encode())) is None  # Spark hands binary values as bytearray
    assert message_error(None) == "$: empty message (null value)"
    assert message_error(b'{"a": "\xff"}').startswith("$: message is not valid UTF-8")
    assert message_error(b"not json").startswith("$: body is not valid JSON")
    assert message_error(json.dumps(dict(event, http_status="ok")).encode()).startswith("http_status:")
    both = message_error(json.dumps(dict(event, app_id="nope", latency_ms=-1)).encode())
    assert "app_id:" in both and "latency_ms:" in both and "; " in both


def test_lab_status_lines_of_the_archive():
    from activitylab.archive import status_lines

    status = {
        "written_at": 1000.0,
        "totals": {"events": 12, "rejected": 1, "minute_rows": 3, "late_dropped": 2},
        "pending_partitions": {"events": ["2026-12-02"], "rejected_events": []},
        "queries": {
            "archive": {
                "active": True,
                "batch": 4,
                "progress_at": "2026-12-02T03:43:44.356Z",
                "input_rows": 7,
                "message": "",
            },
            "minute-metrics": {"active": False, "batch": None, "progress_at": None, "input_rows": None, "message": ""},
        },
    }
    lines = status_lines(status, now=1010.0)
    assert lines[0] == "query archive         running, batch 4 at 2026-12-02T03:43:44.356Z (7 rows)"
    assert lines[1] == "query minute-metrics  STOPPED, no batch yet"
    assert "12 events archived, 1 invalid put aside" in lines[2] and "2 too late" in lines[2]
    assert lines[3].endswith("{'events': ['2026-12-02']}")
    assert len(lines) == 4
    assert status_lines(status, now=1100.0)[-1] == "status written 100 s ago: the driver is not checking in"
    assert status_lines(None)[0].startswith("no status yet")


def test_the_archive_checkpoint_is_the_contracts():
    # the pipeline exporter reads the archive's progress there (monitoring/pipeline_exporter.py)
    from activity_contract.names import ARCHIVE_CHECKPOINT

    assert checkpoint_dir("archive") == ARCHIVE_CHECKPOINT
