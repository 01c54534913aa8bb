"""Idempotent row updates: a row's new state plus one marker per applied event, written in one mutation.

HBase applies a single-row mutation atomically, so after any crash a row either holds an event's effect and
its marker `d:<event_id>`, or neither. A replayed event whose marker is there is skipped: counters stay exact
under Storm's at-least-once replays. Each row has one writer (Storm's fields grouping on the row), so reading
the state and writing it back cannot race.
"""

from __future__ import annotations

from activity_contract import names


def counter_columns(deltas_by_event: list[tuple[str, dict[str, int]]]) -> list[bytes]:
    """The columns a batch for one row has to read: its counters and the markers of its events."""
    cols = {f"{names.FAMILY}:{c}".encode() for _, deltas in deltas_by_event for c in deltas}
    cols.update(names.dedupe_column(eid) for eid, _ in deltas_by_event)
    return sorted(cols)


def apply_counters(
    current: dict[bytes, bytes], deltas_by_event: list[tuple[str, dict[str, int]]]
) -> tuple[dict[bytes, bytes], int]:
    """(cells to put, events skipped as already applied). `current` is the row as read (counters + markers)."""
    values: dict[bytes, int] = {}
    seen = {col for col in current if col.startswith(names.DEDUPE_FAMILY.encode() + b":")}
    put: dict[bytes, bytes] = {}
    skipped = 0
    for event_id, deltas in deltas_by_event:
        marker = names.dedupe_column(event_id)
        if marker in seen:
            skipped += 1
            continue
        seen.add(marker)
        put[marker] = b""
        for column, delta in deltas.items():
            col = f"{names.FAMILY}:{column}".encode()
            if col not in values:
                values[col] = names.decode_counter(current.get(col))
            values[col] += delta
    put.update({col: names.encode_counter(v) for col, v in values.items()})
    return put, skipped
