"""The streaming archive's progress read from its checkpoint's layout (activity_clients/archive_checkpoint.py): what
the pipeline exporter reports as its lag and where `lab trace` looks for an event's micro-batch."""

from __future__ import annotations

from activity_clients.archive_checkpoint import archive_offsets, batch_reading, parse_offsets

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


def test_offsets_of_a_checkpoint_file():
    assert parse_offsets(OFFSETS_FILE) == {"user-activity": {0: 740, 1: 896, 2: 457}}


def ends(*offsets_of_partition_0: int) -> dict[str, str]:
    """A checkpoint whose batches 5, 6, ... end at these offsets of partition 0 (partition 1 stays at 896)."""
    return {str(5 + i): OFFSETS_FILE.replace('"0":740', f'"0":{end}') for i, end in enumerate(offsets_of_partition_0)}


def test_the_batch_that_read_a_record_is_the_first_whose_end_is_past_it():
    planned = ends(100, 100, 130, 200, 260)  # batches 5..9; 6 read nothing of partition 0
    hdfs = Checkpoint(planned, ["5", "6", "7", "8"])  # 9 planned, not committed
    assert batch_reading(hdfs, "user-activity", 0, 99) == (5, 200)  # or older: 5 is the oldest kept
    assert batch_reading(hdfs, "user-activity", 0, 100) == (7, 200)
    assert batch_reading(hdfs, "user-activity", 0, 129) == (7, 200)
    assert batch_reading(hdfs, "user-activity", 0, 130) == (8, 200)
    assert batch_reading(hdfs, "user-activity", 0, 199) == (8, 200)
    assert batch_reading(hdfs, "user-activity", 0, 200) == (None, 200)  # not archived yet (9 is not committed)
    assert batch_reading(hdfs, "user-activity", 2, 457) == (None, 457)
    assert batch_reading(hdfs, "user-activity", 2, 456) == (5, 457)
    assert batch_reading(hdfs, "user-activity", 7, 0) == (None, 0)  # a partition the archive never read
    assert batch_reading(Checkpoint({}, []), "user-activity", 0, 0) == (None, 0)  # no batch yet
