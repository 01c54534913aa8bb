"""Speed vs batch: for each KPI both layers compute, the day's drift (batch minus speed), with the reason for a gap.
Stored by the data-quality task (daily_quality.py) in Hive `speed_batch_drift`, partition dt=D, replaced each run.

| kpi            | item            | batch (the day's distinct events in Hive `events`) | speed (HBase, the Storm topology's)      |
|----------------|-----------------|-----------------------------------------------------|------------------------------------------|
| `page_views`   | the page        | its `page_view` events                              | page_counts `c:views_yyyyMMdd`           |
| `events`       | the minute HH:MM| the events of that UTC minute                       | minute_stats `c:events` of that minute   |
| `active_users` | '' (the day)    | the site's distinct users                           | users with user_recent_pages `c:active_yyyyMMdd_{site}` |

Both layers count events by their own event_time (UTC), exact under replays (the archive by event_id, the speed
layer by its markers), so a day both have seen whole gives zero drift; docs/metrics.md says what each gap means.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date

from activity_contract import names

# Why a (site, kpi, item) can differ: the speed layer holds less, holds more, or saw none of the site's day.
MISSED = (
    "the speed layer counted less: it was behind or stopped when these events arrived and they left Kafka "
    "before it read them, or its HBase tables were emptied since"
)
UNSEEN = (
    "the speed layer saw none of this site's events of the day: it was not running while they passed "
    "through Kafka, or its HBase tables were emptied since"
)
EXTRA = (
    "the speed layer counted more: an event sent again after its dedupe window (SPEED_DEDUPE_TTL_S) counts "
    "twice there and once in the archive, or events of the day arrived after this run read the archive "
    "(run the day again)"
)

Key = tuple[str, str, str]  # (app_id, kpi, item)


def reason(batch: int, speed: int, speed_saw_site_day: bool) -> str:
    if batch == speed:
        return ""
    if batch > speed:
        return MISSED if speed_saw_site_day else UNSEEN
    return EXTRA


def drift_rows(batch: dict[Key, int], speed: dict[Key, int]) -> list[tuple[str, str, str, int, int, int, str]]:
    """(app_id, kpi, item, batch, speed, batch - speed, reason) for every key either layer has, in key order.
    A site-day the speed layer has no event of at all (no minute counted) gets UNSEEN as its reason."""
    seen = {app for (app, kpi, _), n in speed.items() if kpi == "events" and n}
    rows = []
    for key in sorted(set(batch) | set(speed)):
        b, s = batch.get(key, 0), speed.get(key, 0)
        rows.append((*key, b, s, b - s, reason(b, s, key[0] in seen)))
    return rows


def summary(rows) -> list[str]:
    """One line per KPI: totals of both layers and how many items differ."""
    out = []
    for kpi in names.DRIFT_KPIS:
        mine = [r for r in rows if r[1] == kpi]
        differ = [r for r in mine if r[5]]
        out.append(
            f"{kpi:<12} batch {sum(r[3] for r in mine):>9} speed {sum(r[4] for r in mine):>9} "
            f"drift {sum(r[5] for r in mine):>+7} ({len(differ)} of {len(mine)} items differ)"
        )
    return out


# ---------------------------------------------------------------- the two layers' numbers


def batch_numbers(events) -> dict[Key, int]:
    """From the day's events (a DataFrame, one row per event_id): the three KPIs' batch values."""
    from pyspark.sql import functions as F

    out: dict[Key, int] = {}
    for r in events.where(F.col("event_type") == "page_view").groupBy("app_id", "page").count().collect():
        out[(r["app_id"], "page_views", r["page"])] = r["count"]
    # event_time is the contract's RFC 3339 UTC text (yyyy-MM-ddTHH:mm:ss.SSSZ): HH:mm is characters 12-16.
    for r in events.groupBy("app_id", F.substring("event_time", 12, 5).alias("minute")).count().collect():
        out[(r["app_id"], "events", r["minute"])] = r["count"]
    for r in events.groupBy("app_id").agg(F.countDistinct("user_id").alias("users")).collect():
        out[(r["app_id"], "active_users", "")] = r["users"]
    return out


def speed_numbers(conn, day: date, apps: set[str]) -> dict[Key, int]:
    """The speed layer's values for the day, read from HBase through HappyBase."""
    out: dict[Key, int] = {}
    views = names.day_views_column(day)
    for row, cells in conn.table(names.T_PAGE_COUNTS).scan(columns=[views]):
        app, page = row.decode().split("#", 1)
        out[(app, "page_views", page)] = names.decode_counter(cells.get(views))
    minutes = conn.table(names.T_MINUTE_STATS)
    for app in sorted(apps):
        prefix = f"{app}#{names.day_key(day)}"
        for row, cells in minutes.scan(row_prefix=prefix.encode(), columns=[names.C_EVENTS]):
            hhmm = row.decode()[len(prefix) :]
            out[(app, "events", f"{hhmm[:2]}:{hhmm[2:]}")] = names.decode_counter(cells.get(names.C_EVENTS))
    active = {names.day_active_column(day, app): app for app in apps}
    users = Counter()
    for _, cells in conn.table(names.T_USER_RECENT_PAGES).scan(columns=list(active)):
        users.update(active[c] for c in cells if c in active)
    out.update({(app, "active_users", ""): n for app, n in users.items()})
    return out


def hbase_address() -> tuple[str, int]:
    """HBase's Thrift server as the lab's containers reach it (the speed layer's own default)."""
    return os.environ.get("HBASE_THRIFT_HOST", "hbase-thrift"), int(os.environ.get("HBASE_THRIFT_PORT", "9090"))
