"""Per-user live state: the recent pages (newest first) and sessionization (30-minute gap or logout).

Pure functions over plain dicts; the user bolt reads the state from HBase, applies a batch of one user's
events in order, and writes the rows back (rows.py explains why that is replay-safe).
"""

from __future__ import annotations

from typing import Any

from activity_contract import names


def is_logout(event: dict) -> bool:
    """A logout ends the session: the `logout` event, or the page view of the logout page."""
    return event["event_type"] == "logout" or (event["event_type"] == "page_view" and event["page"] == "/logout")


def push_recent(pages: list[dict], event: dict, event_ms: int, keep: int = names.RECENT_PAGES_KEPT) -> list[dict]:
    """The recent-pages list with this page view added: newest first by event time, unique by event id,
    at most `keep` long. Non-page events leave it unchanged."""
    if event["event_type"] != "page_view" or any(p["event_id"] == event["event_id"] for p in pages):
        return pages
    entry = {
        "event_id": event["event_id"],
        "page": event["page"],
        "time": event["event_time"],
        "app_id": event["app_id"],
        "ms": event_ms,
    }
    merged = sorted([*pages, entry], key=lambda p: (p.get("ms", 0), p["event_id"]), reverse=True)
    return merged[:keep]


def next_session(
    state: dict | None, event: dict, event_ms: int, gap_s: int = names.SESSION_GAP_S
) -> tuple[dict, str | None]:
    """(the user's session state after this event, the key of the session it closed or None).

    state: {"key": sessions row key, "sid": the event session_id it follows, "n": splits of that sid,
            "start_ms", "last_ms", "ended": "" | "logout" | "idle"}.
    A new session starts on the first event, on a new session_id, after more than `gap_s` without events,
    or after a logout (except the logout's own events: the `logout` event and the logout page view).
    When the client keeps its session_id across such a boundary, the new row is `<sid>.<n>`.
    """
    sid = event["session_id"]
    if state is not None:
        gap = event_ms - state["last_ms"]
        same_sid = state["sid"] == sid
        idle = gap > gap_s * 1000
        after_logout = state["ended"] == "logout" and not is_logout(event)
        if same_sid and not idle and not after_logout:
            new = dict(state, last_ms=max(state["last_ms"], event_ms))
            if is_logout(event):
                new["ended"] = "logout"
            return new, None
        closed = state["key"] if not state["ended"] else None
        n = state["n"] + 1 if same_sid else 0
    else:
        closed, n = None, 0
    key = sid if n == 0 else f"{sid}.{n}"
    new = {
        "key": key,
        "sid": sid,
        "n": n,
        "start_ms": event_ms,
        "last_ms": event_ms,
        "ended": "logout" if is_logout(event) else "",
    }
    return new, closed


def session_update(row: dict[str, Any] | None, event: dict, user_state: dict) -> dict[str, Any]:
    """The sessions row (decoded) after this event: start, last seen, page and event counts, entry page (the
    earliest page view), current page (the latest; the exit page once ended), ended. Times are v1 event
    times, whose fixed format sorts as time does."""
    row = dict(
        row
        or {
            "user_id": event["user_id"],
            "app_id": event["app_id"],
            "start": event["event_time"],
            "last_seen": event["event_time"],
            "page_count": 0,
            "event_count": 0,
            "entry_page": "",
            "entry_time": "",
            "current_page": "",
            "current_time": "",
            "ended": "",
        }
    )
    t = event["event_time"]
    row["event_count"] += 1
    if event["event_type"] == "page_view":
        row["page_count"] += 1
        if not row["entry_page"] or t < row["entry_time"]:
            row["entry_page"], row["entry_time"] = event["page"], t
        if not row["current_page"] or t >= row["current_time"]:
            row["current_page"], row["current_time"] = event["page"], t
    row["start"], row["last_seen"] = min(row["start"], t), max(row["last_seen"], t)
    row["ended"] = user_state["ended"]
    return row


def is_idle(state: dict, now_ms: int, gap_s: int = names.SESSION_GAP_S) -> bool:
    return not state["ended"] and now_ms - state["last_ms"] > gap_s * 1000


_COUNTS = ("page_count", "event_count")
_TEXTS = (
    "user_id",
    "app_id",
    "start",
    "last_seen",
    "entry_page",
    "entry_time",
    "current_page",
    "current_time",
    "ended",
)


def encode_session_row(row: dict[str, Any]) -> dict[bytes, bytes]:
    cells = {f"{names.FAMILY}:{k}".encode(): names.encode_counter(row[k]) for k in _COUNTS}
    cells.update({f"{names.FAMILY}:{k}".encode(): str(row[k]).encode() for k in _TEXTS})
    return cells


def decode_session_row(cells: dict[bytes, bytes]) -> dict[str, Any] | None:
    if f"{names.FAMILY}:start".encode() not in cells:
        return None
    row = {k: names.decode_counter(cells.get(f"{names.FAMILY}:{k}".encode())) for k in _COUNTS}
    row.update({k: cells.get(f"{names.FAMILY}:{k}".encode(), b"").decode() for k in _TEXTS})
    return row
