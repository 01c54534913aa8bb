"""The pipeline exporter's pure parts (monitoring/pipeline_exporter.py): lag per partition, Airflow's health as
series, the speed layer's latency from its users' rows (the archive's progress: test_archive_checkpoint.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from activity_contract.metrics import batch_on
from monitoring.pipeline_exporter import airflow_families, lag, speed_latency_families
from monitoring.speed_latency import latency_samples, quantile


def test_lag():
    assert lag({0: 750, 1: 896, 2: 500}, {0: 740, 1: 896, 2: 457}) == {0: 10, 1: 0, 2: 43}
    assert lag({0: 5, 1: 7}, {0: 9}) == {0: 0, 1: 7}  # a partition never read lags by all it holds


def test_airflows_health_as_series():
    body = {
        "metadatabase": {"status": "healthy"},
        "scheduler": {"status": "healthy", "latest_scheduler_heartbeat": "2026-12-07T17:00:00.5+00:00"},
        "triggerer": {"status": "unhealthy", "latest_triggerer_heartbeat": "2026-12-07T16:58:00Z"},
        "dag_processor": {"status": None, "latest_dag_processor_heartbeat": None},
    }
    now = datetime(2026, 12, 7, 17, 0, 10, 500000, tzinfo=UTC)
    families = {f.name: {s.labels["component"]: s.value for s in f.samples} for f in airflow_families(body, now)}
    assert families["activitylab_airflow_healthy"] == {
        "metadatabase": 1.0,
        "scheduler": 1.0,
        "triggerer": 0.0,
        "dag_processor": 0.0,
    }
    assert families["activitylab_airflow_heartbeat_age_seconds"] == {"scheduler": 10.0, "triggerer": 130.5}


def test_the_batch_profile_from_compose_profiles():
    assert batch_on("batch") and batch_on("light, batch")
    assert not batch_on("") and not batch_on("light") and not batch_on("batches")


def _session(last_ms: int, ended: str = "") -> bytes:
    return json.dumps({"key": "s1", "sid": "s1", "n": 0, "start_ms": 0, "last_ms": last_ms, "ended": ended}).encode()


def test_speed_latency_samples_are_the_rows_written_in_the_window_after_an_event():
    now = 1_000_000
    cells = [
        (_session(now - 5_300), now - 5_000),  # written 0.3 s after its newest event
        (_session(now - 1_100), now - 1_000),  # 0.1 s
        (_session(now - 90_000), now - 61_000),  # written before the window
        (_session(now - 300_000, ended="idle"), now - 2_000),  # closed by the bolt's clock, not by an event
        (b"not json", now - 1_000),
        (json.dumps({"key": "s2"}).encode(), now - 1_000),  # no last_ms
    ]
    assert latency_samples(cells, now) == [0.3, 0.1]
    assert latency_samples(cells, now, window_ms=2_000) == [0.1]


def test_speed_latency_quantiles_by_nearest_rank():
    samples = sorted([0.1 * i for i in range(1, 21)])  # 0.1 .. 2.0
    assert quantile(samples, 0.5) == samples[9]
    assert quantile(samples, 0.95) == samples[18]
    assert quantile(samples, 1.0) == samples[19]
    assert quantile([0.4], 0.5) == 0.4


def test_speed_latency_series_none_without_samples():
    families = {f.name: f.samples for f in speed_latency_families([0.3, 0.1, 0.2])}
    assert {s.labels["quantile"]: s.value for s in families["activitylab_speed_latency_seconds"]} == {
        "0.5": 0.2,
        "0.95": 0.3,
        "1": 0.3,
    }
    assert [s.value for s in families["activitylab_speed_latency_samples"]] == [3]
    empty = {f.name: f.samples for f in speed_latency_families([])}
    assert empty["activitylab_speed_latency_seconds"] == []  # no writes is not zero latency
    assert [s.value for s in empty["activitylab_speed_latency_samples"]] == [0]
