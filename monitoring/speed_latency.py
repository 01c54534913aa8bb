"""The speed layer's event -> HBase latency, read back from HBase itself (the pipeline exporter serves it).

Each user's row in `user_recent_pages` holds its session state, whose `last_ms` is the time of the newest event
the UserBolt applied to it; HBase stamps the cell with the time it was written. For a row written after new events,
write time - `last_ms` is how long its newest event took from the site to HBase (Kafka, the spout, the parse and
user bolts, the micro-batch, the put). One sample per user written in the window: with the users browsing, a few
dozen a minute. Rows rewritten without a new event (an idle session closed by the bolt) are not samples.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from activity_contract import names

WINDOW_MS = 60_000  # the samples: the user rows written in the last minute
QUANTILES = (0.5, 0.95, 1.0)


def latency_samples(cells: Iterable[tuple[bytes, int]], now_ms: int, window_ms: int = WINDOW_MS) -> list[float]:
    """Seconds from each user's newest event to its row's write, for rows written in the window.

    cells: (the session cell's value, its HBase timestamp in ms) per user row."""
    samples = []
    for value, written_ms in cells:
        if written_ms < now_ms - window_ms:
            continue
        try:
            state = json.loads(value)
            last_ms = int(state["last_ms"])
        except (ValueError, KeyError, TypeError):
            continue  # not a session state this module knows: no sample rather than a wrong one
        if state.get("ended") == "idle":
            continue  # closed by the bolt's clock, not by an event
        samples.append(max(0, written_ms - last_ms) / 1000)
    return samples


def quantile(sorted_samples: Sequence[float], q: float) -> float:
    """The q-quantile by the nearest rank (1.0: the largest); the samples sorted, at least one."""
    rank = max(1, -(-len(sorted_samples) * q // 1))  # ceil(n * q), at least the first
    return sorted_samples[int(rank) - 1]


def read_session_cells(connection) -> list[tuple[bytes, int]]:
    """Every user row's session cell with its write time (one column of a table with a row per user)."""
    table = connection.table(names.T_USER_RECENT_PAGES)
    return [
        cells[names.C_USER_SESSION]
        for _, cells in table.scan(columns=[names.C_USER_SESSION], include_timestamp=True)
        if names.C_USER_SESSION in cells
    ]
