"""The streaming archive's progress, from its checkpoint on HDFS (Spark's layout, read through WebHDFS).

The archive commits no consumer group: Spark writes `offsets/N` when it plans micro-batch N (the Kafka source's end
offsets, exclusive) and `commits/N` once the batch is written, so the last N with both is what has been archived, and
batch N read the records from batch N-1's end offsets up to its own. Readers: the pipeline exporter (the archive's
lag) and `lab trace` (which micro-batch, hence which Parquet file, holds an event).
"""

from __future__ import annotations

import json

from activity_contract.names import ARCHIVE_CHECKPOINT

from .webhdfs import WebHdfs


def parse_offsets(text: str) -> dict[str, dict[int, int]]:
    """The Kafka source's offsets in a checkpoint's offsets/N file: its last line, {"topic": {"0": 12, ...}}."""
    source = json.loads(text.strip().splitlines()[-1])
    return {topic: {int(p): int(o) for p, o in partitions.items()} for topic, partitions in source.items()}


def committed_batches(hdfs: WebHdfs, checkpoint: str = ARCHIVE_CHECKPOINT) -> list[int]:
    """The micro-batches planned and committed that the checkpoint still holds, oldest first (Spark keeps the last
    100 or so)."""
    commits = {n for n in hdfs.list_names(f"{checkpoint}/commits") or [] if n.isdigit()}
    planned = {n for n in hdfs.list_names(f"{checkpoint}/offsets") or [] if n.isdigit()}
    return sorted(int(n) for n in commits & planned)


def batch_offsets(hdfs: WebHdfs, batch: int, checkpoint: str = ARCHIVE_CHECKPOINT) -> dict[str, dict[int, int]]:
    return parse_offsets(hdfs.read(f"{checkpoint}/offsets/{batch}").decode())


def archive_offsets(hdfs: WebHdfs, checkpoint: str = ARCHIVE_CHECKPOINT) -> dict[str, dict[int, int]] | None:
    """{topic: {partition: next offset}} of the archive's last committed micro-batch, None before its first."""
    done = committed_batches(hdfs, checkpoint)
    return batch_offsets(hdfs, done[-1], checkpoint) if done else None


def batch_reading(
    hdfs: WebHdfs, topic: str, partition: int, offset: int, checkpoint: str = ARCHIVE_CHECKPOINT
) -> tuple[int | None, int]:
    """(the committed micro-batch that read this record or None, the archive's next offset in the partition).

    None with a next offset past the record: it was read by a batch older than the checkpoint keeps. A binary search
    over the batches' end offsets, which only grow: a few small reads however long the archive has run."""
    done = committed_batches(hdfs, checkpoint)
    end = lambda batch: batch_offsets(hdfs, batch, checkpoint).get(topic, {}).get(partition, 0)  # noqa: E731
    if not done:
        return None, 0
    last_end = end(done[-1])
    if offset >= last_end:
        return None, last_end  # not archived yet
    lo, hi = 0, len(done) - 1  # the first batch whose end is past the offset
    while lo < hi:
        mid = (lo + hi) // 2
        if end(done[mid]) > offset:
            hi = mid
        else:
            lo = mid + 1
    return done[lo], last_end
