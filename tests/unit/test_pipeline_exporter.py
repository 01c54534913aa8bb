"""The pipeline exporter's pure parts (monitoring/pipeline_exporter.py): lag per partition, Airflow's health as
series (the archive's progress: test_archive_checkpoint.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from activity_contract.metrics import batch_on
from monitoring.pipeline_exporter import airflow_families, lag


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
