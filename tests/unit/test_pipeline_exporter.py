"""The pipeline exporter's pure parts (monitoring/pipeline_exporter.py): the archive's progress read from its
checkpoint's layout, lag per partition, Airflow's health as series."""

from __future__ import annotations

from datetime import UTC, datetime

from activity_contract.metrics import batch_on
from monitoring.pipeline_exporter import airflow_families, archive_offsets, lag, parse_offsets

OFFSETS_FILE = (
    'v1\n{"batchWatermarkMs":0,"batchTimestampMs":1796661900010,"conf":{"spark.sql.shuffle.partitions":"1"}}\n'
    '{"user-activity":{"0":740,"1":896,"2":457}}'
)


class Checkpoint:
    """A checkpoint folder as WebHdfs lists and reads it: offsets/N for each planned batch, commits/N once written."""

    def __init__(self, planned: dict[str, str], committed: list[str]):
        self.planned, self.committed = planned, committed

    def list_names(self, path: str) -> list[str] | None:
        if path.endswith("/offsets"):
            return [*self.planned, ".3.tmp"] if self.planned else None
        return list(self.committed) if self.committed else None

    def read(self, path: str) -> bytes:
        return self.planned[path.rsplit("/", 1)[1]].encode()


def test_the_archives_progress_is_its_last_committed_batch():
    later = OFFSETS_FILE.replace('"0":740', '"0":999')
    hdfs = Checkpoint({"9": OFFSETS_FILE, "10": later, "11": later.replace("999", "1200")}, ["9", "10"])
    assert archive_offsets(hdfs) == {"user-activity": {0: 999, 1: 896, 2: 457}}  # 11 planned, not yet written
    assert archive_offsets(Checkpoint({"0": OFFSETS_FILE}, [])) is None  # before its first batch
    assert archive_offsets(Checkpoint({}, [])) is None  # no checkpoint yet


def test_offsets_and_lag():
    assert parse_offsets(OFFSETS_FILE) == {"user-activity": {0: 740, 1: 896, 2: 457}}
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
