"""The three historical export shapes `lab backfill` loads, and their normalization into schema v1.

Each shape comes from a different (imagined) legacy system; docs/backfill.md lists every rule.

  shop  CSV    local wall-clock times + an IANA zone column, latency in seconds, its own row ids,
               hyphenated action names, empty cells for nothing
  news  JSONL  epoch-millisecond times, short renamed fields, nested `geo`/`client`, "pv" for page views
  learn Parquet  typed columns: timestamp[us, UTC], latency in integer microseconds, structs for geo/device

`write_*` turn v1 events into a shape (the sample files); `read_*` yield (source reference, raw text,
v1 event or ValueError) for every record, so the caller counts and reports every record it rejects.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from activity_contract import names
from activity_contract.events import FIELDS, SCHEMA_VERSION, format_event_time, parse_event_time

# Event ids of shop's CSV rows: uuid5 of the row id in this namespace, so loading a file twice gives the
# same ids (downstream de-duplicates by event_id).
SHOP_ROW_NAMESPACE = uuid.UUID("6f1c2a7e-3d4b-5a69-8e1f-0a2b3c4d5e6f")
# The zone a visitor's local time is exported in (shop's CSV): one per country, as the legacy system did.
COUNTRY_ZONES = {
    "US": "America/New_York",
    "GB": "Europe/London",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "IN": "Asia/Kolkata",
    "BR": "America/Sao_Paulo",
    "JP": "Asia/Tokyo",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "NL": "Europe/Amsterdam",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "NG": "Africa/Lagos",
    "KE": "Africa/Nairobi",
    "MX": "America/Mexico_City",
    "KR": "Asia/Seoul",
    "SG": "Asia/Singapore",
    "SE": "Europe/Stockholm",
    "PL": "Europe/Warsaw",
    "ZA": "Africa/Johannesburg",
}
SHOP_COLUMNS = (
    "row_id",
    "local_time",
    "time_zone",
    "visitor_id",
    "visit_id",
    "action",
    "url",
    "site_section",
    "referer",
    "detail",
    "http_code",
    "response_time_s",
    "country",
    "city",
    "device",
    "os",
    "browser",
    "user_agent",
)
SHOP_ACTIONS = {"page_view": "pageview"}  # shop's own names; the rest are the v1 names with hyphens
NEWS_TYPES = {"page_view": "pv"}  # news' own names for event types; the rest are the v1 names
NEWS_TYPES_BACK = {v: k for k, v in NEWS_TYPES.items()}
SHAPES = {".csv": names.SHOP, ".jsonl": names.NEWS, ".parquet": names.LEARN}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _v1(**fields) -> dict:
    """A v1 event in contract field order, values as the source had them. Not events.build_event: that one
    coerces types and makes up a missing event_id, where a backfill must let the schema reject the record."""
    return {"schema_version": SCHEMA_VERSION, **{k: fields[k] for k in FIELDS[1:]}}


def _text(value) -> str | None:
    return None if value in ("", None) else str(value)


# ---------------------------------------------------------------------------------------------- shop: CSV


def write_shop_csv(events: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(SHOP_COLUMNS)
        for row_id, e in enumerate(events, start=1):
            zone = COUNTRY_ZONES.get(e["geo"]["country"], "UTC")
            local = parse_event_time(e["event_time"]).astimezone(ZoneInfo(zone))
            action = SHOP_ACTIONS.get(e["event_type"], e["event_type"].replace("_", "-"))
            out.writerow(
                [
                    row_id,
                    local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 1000:03d}",
                    zone,
                    e["user_id"],
                    e["session_id"],
                    action,
                    e["page"],
                    e["section"],
                    e["referrer"] or "",
                    e["target"] or "",
                    e["http_status"],
                    f"{e['latency_ms'] / 1000:.6f}",
                    e["geo"]["country"],
                    e["geo"]["city"],
                    e["device"]["type"].capitalize(),
                    e["device"]["os"],
                    e["device"]["browser"],
                    e["user_agent"],
                ]
            )


def shop_local_to_utc(local_time: str, zone: str) -> str:
    """`2026-06-10 14:03:22.123` in `Europe/Paris` -> `2026-06-10T12:03:22.123Z`. A repeated wall time (clocks
    going back) is read as its first occurrence; a skipped one (clocks going forward) as if before the jump."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"time_zone: unknown zone {zone!r}") from None
    try:
        naive = datetime.strptime(local_time, "%Y-%m-%d %H:%M:%S.%f")
    except ValueError:
        raise ValueError(f"local_time: {local_time!r} is not YYYY-MM-DD HH:MM:SS.mmm") from None
    return format_event_time(naive.replace(tzinfo=tz, fold=0).astimezone(UTC))


def _shop_event(row: dict) -> dict:
    missing = [c for c in SHOP_COLUMNS if row.get(c) is None]
    if missing:
        raise ValueError(f"{missing[0]}: missing column")
    try:
        latency_ms = round(float(row["response_time_s"]) * 1000, 3)
    except ValueError:
        raise ValueError(f"response_time_s: {row['response_time_s']!r} is not a number of seconds") from None
    try:
        status = int(row["http_code"])
    except ValueError:
        raise ValueError(f"http_code: {row['http_code']!r} is not an integer") from None
    action = row["action"].strip().lower().replace("-", "_")
    return _v1(
        event_id=str(uuid.uuid5(SHOP_ROW_NAMESPACE, row["row_id"])),
        event_type="page_view" if action == "pageview" else action,
        event_time=shop_local_to_utc(row["local_time"], row["time_zone"]),
        app_id=names.SHOP,
        user_id=row["visitor_id"],
        session_id=row["visit_id"],
        page=row["url"],
        section=row["site_section"],
        referrer=_text(row["referer"]),
        target=_text(row["detail"]),
        http_status=status,
        latency_ms=latency_ms,
        geo={"country": row["country"], "city": row["city"]},
        device={"type": row["device"].lower(), "os": row["os"], "browser": row["browser"]},
        user_agent=row["user_agent"],
    )


def read_shop_csv(path: Path) -> Iterator[tuple[str, str, dict | ValueError]]:
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            raw = json.dumps(row, ensure_ascii=False)
            try:
                yield f"row {row.get('row_id')}", raw, _shop_event(row)
            except ValueError as exc:
                yield f"row {row.get('row_id')}", raw, exc


# ---------------------------------------------------------------------------------------------- news: JSON lines


def write_news_jsonl(events: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            record = {
                "id": e["event_id"],
                "type": NEWS_TYPES.get(e["event_type"], e["event_type"]),
                "ts": (parse_event_time(e["event_time"]) - EPOCH) // timedelta(milliseconds=1),
                "uid": e["user_id"],
                "sid": e["session_id"],
                "path": e["page"],
                "cat": e["section"],
                "ref": e["referrer"],
                "what": e["target"],
                "code": e["http_status"],
                "ms": e["latency_ms"],
                "geo": {"cc": e["geo"]["country"], "city": e["geo"]["city"]},
                "client": {
                    "kind": e["device"]["type"],
                    "os": e["device"]["os"],
                    "browser": e["device"]["browser"],
                    "ua": e["user_agent"],
                },
            }
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


def _news_event(r: dict) -> dict:
    ts = r["ts"]
    if isinstance(ts, bool) or not isinstance(ts, int):
        raise ValueError(f"ts: {ts!r} is not epoch milliseconds")
    return _v1(
        event_id=r["id"],
        event_type=NEWS_TYPES_BACK.get(r["type"], r["type"]),
        event_time=format_event_time(EPOCH + timedelta(milliseconds=ts)),
        app_id=names.NEWS,
        user_id=r["uid"],
        session_id=r["sid"],
        page=r["path"],
        section=r["cat"],
        referrer=r.get("ref"),
        target=r.get("what"),
        http_status=r["code"],
        latency_ms=r["ms"],
        geo={"country": r["geo"]["cc"], "city": r["geo"]["city"]},
        device={"type": r["client"]["kind"], "os": r["client"]["os"], "browser": r["client"]["browser"]},
        user_agent=r["client"]["ua"],
    )


def read_news_jsonl(path: Path) -> Iterator[tuple[str, str, dict | ValueError]]:
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, start=1):
            raw = line.rstrip("\n")
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                if not isinstance(record, dict):
                    raise ValueError("line: not a JSON object")
                yield f"line {number}", raw, _news_event(record)
            except json.JSONDecodeError as exc:
                yield f"line {number}", raw, ValueError(f"line: invalid JSON ({exc.msg})")
            except KeyError as exc:
                yield f"line {number}", raw, ValueError(f"{exc.args[0]}: missing field")
            except (TypeError, ValueError, OverflowError, OSError) as exc:
                yield f"line {number}", raw, ValueError(str(exc))


# ---------------------------------------------------------------------------------------------- learn: Parquet


def _learn_schema():
    import pyarrow as pa

    return pa.schema(
        [
            ("event_id", pa.string()),
            ("event_type", pa.string()),
            ("occurred_at", pa.timestamp("us", tz="UTC")),
            ("user_id", pa.string()),
            ("session_id", pa.string()),
            ("page", pa.string()),
            ("section", pa.string()),
            ("referrer", pa.string()),
            ("target", pa.string()),
            ("http_status", pa.int16()),
            ("latency_us", pa.int64()),
            ("geo", pa.struct([("country", pa.string()), ("city", pa.string())])),
            ("device", pa.struct([("type", pa.string()), ("os", pa.string()), ("browser", pa.string())])),
            ("user_agent", pa.string()),
        ]
    )


def write_learn_parquet(events: list[dict], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {
            "event_id": e["event_id"],
            "event_type": e["event_type"],
            "occurred_at": parse_event_time(e["event_time"]),
            "user_id": e["user_id"],
            "session_id": e["session_id"],
            "page": e["page"],
            "section": e["section"],
            "referrer": e["referrer"],
            "target": e["target"],
            "http_status": e["http_status"],
            "latency_us": round(e["latency_ms"] * 1000),
            "geo": e["geo"],
            "device": e["device"],
            "user_agent": e["user_agent"],
        }
        for e in events
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=_learn_schema()), path)


def _learn_event(r: dict) -> dict:
    if r["occurred_at"] is None:
        raise ValueError("occurred_at: missing")
    if r["latency_us"] is None:
        raise ValueError("latency_us: missing")
    return _v1(
        event_id=r["event_id"],
        event_type=r["event_type"],
        event_time=format_event_time(r["occurred_at"]),
        app_id=names.LEARN,
        user_id=r["user_id"],
        session_id=r["session_id"],
        page=r["page"],
        section=r["section"],
        referrer=r["referrer"],
        target=r["target"],
        http_status=r["http_status"],
        latency_ms=r["latency_us"] / 1000,
        geo=r["geo"],
        device=r["device"],
        user_agent=r["user_agent"],
    )


def read_learn_parquet(path: Path) -> Iterator[tuple[str, str, dict | ValueError]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    missing = [f.name for f in _learn_schema() if f.name not in table.column_names]
    if missing:
        raise ValueError(f"{path}: not the learn export: no column {', '.join(missing)}")
    for number, r in enumerate(table.to_pylist(), start=1):
        raw = json.dumps(r, default=str, ensure_ascii=False)
        try:
            yield f"row {number}", raw, _learn_event(r)
        except (TypeError, ValueError) as exc:
            yield f"row {number}", raw, ValueError(str(exc))


READERS = {names.SHOP: read_shop_csv, names.NEWS: read_news_jsonl, names.LEARN: read_learn_parquet}
WRITERS = {
    names.SHOP: (write_shop_csv, "shop-orders-export.csv"),
    names.NEWS: (write_news_jsonl, "news-cms-events.jsonl"),
    names.LEARN: (write_learn_parquet, "learn-lake-events.parquet"),
}
