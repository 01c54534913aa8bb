"""The live views from HBase, the speed layer's tables (activity_contract/names.py), as dicts and DataFrames.

`read_*` take an open HappyBase connection and return raw cells; the shaping functions turn cells into
what the page shows and do no I/O (tests/unit/test_dashboard_data.py). Every read names its columns: the
`d` family (dedupe markers) is never fetched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import pandas as pd

from activity_contract import names
from activity_contract.events import parse_event_time

Cells = Mapping[bytes, bytes]
FAMILY_C = names.FAMILY.encode()
FAMILY_U = names.LAST_SEEN_FAMILY.encode()
LIVE_WINDOW_S = names.ACTIVE_WINDOWS_S["active_30m"]  # a live session: its user was seen within 30 minutes
ALERT_BANNER_S = 300  # an alert raised in the last 5 minutes is "current"


def connect(host: str, port: int, timeout_ms: int = 5000):
    from activity_clients import hbase  # imported here so the shaping functions need no Thrift client

    return hbase.connect(host, port, timeout_ms)


# ------------------------------------------------------------------ readers (one connection, raw cells)


def read_active_rows(conn, apps: Iterable[str]) -> dict[str, Cells]:
    """Each site's active_users row: counts and health (`c`) and its users' last-seen times (`u`), one read."""
    rows = conn.table(names.T_ACTIVE_USERS).rows([a.encode() for a in apps], columns=[FAMILY_C, FAMILY_U])
    return {key.decode(): cells for key, cells in rows}


def read_minute_rows(conn, apps: Iterable[str], now: datetime, minutes: int = 30) -> dict[bytes, Cells]:
    """minute_stats rows of the last `minutes` minutes (the current one included), per site one range scan."""
    table, first = conn.table(names.T_MINUTE_STATS), now - timedelta(minutes=minutes - 1)
    out = {}
    for app in apps:
        out.update(
            table.scan(
                row_start=names.minute_row(app, first),
                row_stop=names.minute_row(app, now + timedelta(minutes=1)),
                columns=[names.C_EVENTS, names.C_PAGE_VIEWS, names.C_ERRORS],
            )
        )
    return out


def read_page_counts(conn, apps: Iterable[str]) -> dict[bytes, Cells]:
    table, out = conn.table(names.T_PAGE_COUNTS), {}
    for app in apps:
        out.update(table.scan(row_prefix=f"{app}#".encode(), columns=[names.C_VIEWS]))
    return out


def read_alert_rows(conn, apps: Iterable[str], per_site: int = 10) -> dict[bytes, Cells]:
    """The newest `per_site` alerts of each site (row keys sort newest first within a site)."""
    table, out = conn.table(names.T_ALERTS), {}
    for app in apps:
        out.update(table.scan(row_prefix=f"{app}#".encode(), columns=[FAMILY_C], limit=per_site))
    return out


def read_user_rows(conn, user_ids: Iterable[str]) -> dict[str, Cells]:
    rows = conn.table(names.T_USER_RECENT_PAGES).rows(
        [u.encode() for u in user_ids], columns=[names.C_RECENT_PAGES, names.C_USER_SESSION]
    )
    return {key.decode(): cells for key, cells in rows}


def read_session_rows(conn, keys: Iterable[str]) -> dict[str, Cells]:
    rows = conn.table(names.T_SESSIONS).rows([k.encode() for k in keys], columns=[FAMILY_C])
    return {key.decode(): cells for key, cells in rows}


# ------------------------------------------------------------------ shaping (pure)


def _text(cells: Cells, column: bytes) -> str | None:
    raw = cells.get(column)
    return raw.decode() if raw is not None else None


def _number(cells: Cells, column: bytes) -> float | None:
    text = _text(cells, column)
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def site_summary(app: str, cells: Cells) -> dict | None:
    """A site's active users as the topology last counted them (and its last-minute health), or None when
    the topology has counted nothing for it yet."""
    updated_at = _text(cells, names.C_UPDATED_AT)
    if updated_at is None:
        return None
    requests = _number(cells, names.C_REQUESTS_1M)
    return {
        "app": app,
        "active_5m": names.decode_counter(cells.get(names.C_ACTIVE_5M)),
        "active_30m": names.decode_counter(cells.get(names.C_ACTIVE_30M)),
        "updated_at": updated_at,
        "requests_1m": int(requests) if requests is not None else None,
        "error_rate_1m": _number(cells, names.C_ERROR_RATE_1M),
        "p95_latency_ms_1m": _number(cells, names.C_P95_LATENCY_1M),
        "health_at": _text(cells, names.C_HEALTH_AT),
    }


def age_s(rfc3339: str | None, now: datetime) -> float | None:
    """Seconds since an RFC 3339 time of the contract, None when absent or unreadable."""
    if not rfc3339:
        return None
    try:
        return (now - parse_event_time(rfc3339)).total_seconds()
    except ValueError:
        return None


def live_users(active_rows: Mapping[str, Cells], now_ms: int, window_s: int = LIVE_WINDOW_S) -> dict[str, dict]:
    """{user_id: {"app", "last_ms"}} for users whose last event (family `u`) is within the window."""
    prefix, out = FAMILY_U + b":", dict[str, dict]()
    for app, cells in active_rows.items():
        for column, raw in cells.items():
            if not column.startswith(prefix):
                continue
            try:
                ms = int(raw)
            except ValueError:
                continue
            user = column[len(prefix) :].decode()
            if ms >= now_ms - window_s * 1000 and ms > out.get(user, {}).get("last_ms", -1):
                out[user] = {"app": app, "last_ms": ms}
    return out


def live_session_keys(user_rows: Mapping[str, Cells]) -> dict[str, str]:
    """{user_id: sessions row key} of the users whose current session has not ended."""
    keys = {}
    for user, cells in user_rows.items():
        try:
            state = json.loads(cells.get(names.C_USER_SESSION) or b"null")
        except ValueError:
            continue
        if isinstance(state, dict) and state.get("key") and not state.get("ended"):
            keys[user] = state["key"]
    return keys


def session_record(key: str, cells: Cells) -> dict:
    return {
        "session": key,
        "user_id": _text(cells, names.C_SESSION_USER) or "",
        "app": _text(cells, names.C_SESSION_APP) or "",
        "start": _text(cells, names.C_SESSION_START),
        "last_seen": _text(cells, names.C_SESSION_LAST_SEEN),
        "page_count": names.decode_counter(cells.get(names.C_SESSION_PAGES)),
        "event_count": names.decode_counter(cells.get(names.C_SESSION_EVENTS)),
        "entry_page": _text(cells, names.C_SESSION_ENTRY) or "",
        "current_page": _text(cells, names.C_SESSION_CURRENT) or "",
        "ended": _text(cells, names.C_SESSION_ENDED) or "",
    }


SESSION_COLUMNS = [
    "session",
    "user_id",
    "app",
    "start",
    "last_seen",
    "page_count",
    "event_count",
    "entry_page",
    "current_page",
    "ended",
]


def live_sessions_frame(session_rows: Mapping[str, Cells]) -> pd.DataFrame:
    """The live sessions, one row each, start/last_seen as UTC datetimes, the most recently active first."""
    records = [r for r in (session_record(k, c) for k, c in session_rows.items()) if not r["ended"] and r["start"]]
    frame = pd.DataFrame(records, columns=SESSION_COLUMNS)
    for column in ("start", "last_seen"):
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame.sort_values(["last_seen", "user_id"], ascending=[False, True], ignore_index=True)


def current_pages(sessions: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Top pages now: how many live sessions are on each page, per site."""
    counts = (
        sessions[sessions["current_page"] != ""]
        .groupby(["app", "current_page"])
        .size()
        .reset_index(name="sessions")
        .rename(columns={"current_page": "page"})
    )
    return (
        counts.sort_values(["sessions", "app", "page"], ascending=[False, True, True]).head(top).reset_index(drop=True)
    )


def minute_frame(rows: Mapping[bytes, Cells], apps: Iterable[str], now: datetime, minutes: int = 30) -> pd.DataFrame:
    """Events, page views and errors per site and minute over the last `minutes` minutes, a zero for every
    minute without a row (a quiet minute is a real zero); column `minute` is the minute's UTC start."""
    end = now.astimezone(UTC).replace(second=0, microsecond=0)
    stamps = [end - timedelta(minutes=m) for m in range(minutes - 1, -1, -1)]
    records = []
    for app in apps:
        for minute in stamps:
            cells = rows.get(names.minute_row(app, minute), {})
            records.append(
                {
                    "app": app,
                    "minute": minute,
                    "events": names.decode_counter(cells.get(names.C_EVENTS)),
                    "page_views": names.decode_counter(cells.get(names.C_PAGE_VIEWS)),
                    "errors": names.decode_counter(cells.get(names.C_ERRORS)),
                }
            )
    return pd.DataFrame(records, columns=["app", "minute", "events", "page_views", "errors"])


def top_pages(rows: Mapping[bytes, Cells], per_site: int = 8) -> pd.DataFrame:
    """All-time page views (page_counts), the `per_site` most viewed pages of each site."""
    records = []
    for key, cells in rows.items():
        app, _, page = key.decode().partition("#")
        records.append({"app": app, "page": page, "views": names.decode_counter(cells.get(names.C_VIEWS))})
    frame = pd.DataFrame(records, columns=["app", "page", "views"])
    frame = frame.sort_values(["app", "views", "page"], ascending=[True, False, True])
    return frame.groupby("app", sort=False).head(per_site).reset_index(drop=True)


def alert_records(rows: Mapping[bytes, Cells]) -> list[dict]:
    """Alerts newest first over every site."""
    out = []
    for key, cells in rows.items():
        out.append(
            {
                "app": _text(cells, names.C_ALERT_APP) or key.decode().partition("#")[0],
                "type": _text(cells, names.C_ALERT_TYPE) or "",
                "metric": _text(cells, names.C_ALERT_METRIC) or "",
                "value": _number(cells, names.C_ALERT_VALUE),
                "threshold": _number(cells, names.C_ALERT_THRESHOLD),
                "message": _text(cells, names.C_ALERT_MESSAGE) or "",
                "time": _text(cells, names.C_ALERT_TIME) or "",
                "time_ms": names.alert_time_ms(key),
            }
        )
    return sorted(out, key=lambda a: (-a["time_ms"], a["app"]))


def current_alerts(alerts: list[dict], now_ms: int, window_s: int = ALERT_BANNER_S) -> dict[str, dict]:
    """{app: its newest alert} for the sites with an alert in the last `window_s` seconds (the banner)."""
    out: dict[str, dict] = {}
    for alert in alerts:  # newest first: the first one per site wins
        if alert["time_ms"] >= now_ms - window_s * 1000:
            out.setdefault(alert["app"], alert)
    return out


def recent_pages(cells: Cells) -> pd.DataFrame:
    """A user's recent pages (user_recent_pages c:pages), newest first, time as a UTC datetime."""
    try:
        pages = json.loads(cells.get(names.C_RECENT_PAGES) or b"[]")
    except ValueError:
        pages = []
    frame = pd.DataFrame([p for p in pages if isinstance(p, dict)], columns=["time", "app_id", "page", "event_id"])
    frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601")
    return frame
