"""Where the streaming archive publishes a micro-batch, and how: pure names, no Spark, so unit tests cover them.

A batch is first written whole to a staging folder, then each of its files is renamed into its `dt=` folder under
a name carrying the batch id. HDFS renames are atomic, so a reader sees a file whole or not at all; a batch redone
after a crash first deletes the files its interrupted attempt had renamed (same batch id, same names), so every
row is published once.
"""

from __future__ import annotations

import re

from activity_contract.names import HDFS_CHECKPOINTS

STAGING_ROOT = "/data/_staging"  # outside /data/raw and /data/metrics: Hive never reads half-written batches
CHECKPOINT_ROOT = HDFS_CHECKPOINTS

_DT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def batch_prefix(batch_id: int) -> str:
    """File name prefix of one micro-batch's files: sorts by batch, so `ls` shows the archive in arrival order."""
    if batch_id < 0:
        raise ValueError(f"batch ids start at 0, not {batch_id}")
    return f"part-b{batch_id:010d}-"


def published_name(batch_id: int, index: int) -> str:
    return f"{batch_prefix(batch_id)}{index:05d}.parquet"


def staging_root(query: str) -> str:
    """The query's staging folders live here, one per batch being published."""
    return f"{STAGING_ROOT}/{query}"


def staging_dir(query: str, batch_id: int) -> str:
    return f"{staging_root(query)}/{batch_id}"


def checkpoint_dir(query: str) -> str:
    return f"{CHECKPOINT_ROOT}/{query}"


def partition_dir(root: str, dt: str) -> str:
    if not _DT.match(dt):
        raise ValueError(f"not a dt partition value (YYYY-MM-DD): {dt!r}")
    return f"{root}/dt={dt}"


def dt_of_folder(name: str) -> str | None:
    """`dt=2026-12-02` -> `2026-12-02`; None for anything else (Spark's `_SUCCESS`, `_temporary`)."""
    if name.startswith("dt=") and _DT.match(name[3:]):
        return name[3:]
    return None
