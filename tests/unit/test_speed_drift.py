"""spark_jobs/speed_drift.py's pure part: the drift rows, their reasons and the per-KPI summary."""

from speed_drift import EXTRA, MISSED, UNSEEN, drift_rows, reason, summary


def test_equal_counts_have_no_reason_and_each_direction_its_own():
    assert reason(7, 7, True) == ""
    assert reason(7, 5, True) == MISSED
    assert reason(7, 0, False) == UNSEEN
    assert reason(5, 7, True) == EXTRA


def test_every_key_of_either_layer_gets_a_row_with_batch_minus_speed():
    batch = {
        ("shop", "page_views", "/a"): 4,
        ("shop", "events", "10:00"): 6,
        ("shop", "active_users", ""): 2,
        ("news", "events", "10:01"): 3,
        ("news", "active_users", ""): 1,
    }
    speed = {
        ("shop", "page_views", "/a"): 3,
        ("shop", "page_views", "/late"): 1,
        ("shop", "events", "10:00"): 6,
        ("shop", "active_users", ""): 2,
    }
    rows = drift_rows(batch, speed)
    assert rows == [
        ("news", "active_users", "", 1, 0, 1, UNSEEN),  # no minute of news counted by the speed layer
        ("news", "events", "10:01", 3, 0, 3, UNSEEN),
        ("shop", "active_users", "", 2, 2, 0, ""),
        ("shop", "events", "10:00", 6, 6, 0, ""),
        ("shop", "page_views", "/a", 4, 3, 1, MISSED),
        ("shop", "page_views", "/late", 0, 1, -1, EXTRA),
    ]
    lines = summary(rows)
    assert lines[0].split() == [
        "page_views",
        "batch",
        "4",
        "speed",
        "4",
        "drift",
        "+0",
        "(2",
        "of",
        "2",
        "items",
        "differ)",
    ]
    assert lines[1].split()[1:7] == ["batch", "9", "speed", "6", "drift", "+3"]
    assert lines[2].split()[1:7] == ["batch", "3", "speed", "2", "drift", "+1"]


def test_no_data_in_either_layer_gives_no_rows():
    assert drift_rows({}, {}) == []
