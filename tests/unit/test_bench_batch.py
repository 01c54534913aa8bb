"""`lab bench batch`'s reading of `docker stats` memory figures (activitylab/bench_batch.py)."""

import pytest

from activitylab.bench_batch import _bytes


@pytest.mark.parametrize(
    "text, value", [("1.5GiB", 1.5 * 2**30), ("512MiB", 512 * 2**20), ("10kB", 10_000), ("0B", 0), ("2.25MB", 2.25e6)]
)
def test_docker_stats_sizes_in_bytes(text, value):
    assert _bytes(text) == pytest.approx(value)


def test_the_archive_the_bench_writes_has_hive_events_columns_in_their_order():
    import re
    from pathlib import Path

    from activitylab.bench_batch import archive_schema

    ddl = (Path(__file__).parents[2] / "hive/ddl/10-events.sql").read_text()
    body = ddl[ddl.index("CREATE EXTERNAL TABLE IF NOT EXISTS events (") : ddl.index("COMMENT 'Every valid event")]
    columns = re.findall(r"^  (\w+)\s", body, flags=re.M)
    assert archive_schema().names == columns and len(columns) == 20
