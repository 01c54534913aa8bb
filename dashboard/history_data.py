"""The batch layer's daily tables in Hive (hive/ddl/20-daily-tables.sql) for the history page, as DataFrames.

`read_*` take an open PyHive connection. Each read is a plain SELECT of one `dt` partition, which HiveServer2
answers with a fetch task (no MapReduce job); sorting and shaping happen in the functions below them, which do
no I/O (tests/unit/test_history_data.py).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from activity_contract import names

DAY_TABLE = "page_stats_daily"  # a day has had a batch run when this table has its partition
CHOICES = ("page_view", "add_to_cart", "purchase")  # what a user did with catalog items, next to their recommendations
# ISO 3166 alpha-2 -> alpha-3 (what Plotly's maps take) for the countries the simulated users and the generated
# days come from; another code still shows in the table, not on the map.
ISO3 = {
    "AU": "AUS",
    "BR": "BRA",
    "CA": "CAN",
    "DE": "DEU",
    "ES": "ESP",
    "FR": "FRA",
    "GB": "GBR",
    "IN": "IND",
    "IT": "ITA",
    "JP": "JPN",
    "KE": "KEN",
    "KR": "KOR",
    "MX": "MEX",
    "NG": "NGA",
    "NL": "NLD",
    "PL": "POL",
    "SE": "SWE",
    "SG": "SGP",
    "US": "USA",
    "ZA": "ZAF",
}


def connect(host: str, port: int):
    from activity_clients import hive  # imported here so the shaping functions need no Thrift client

    return hive.connect(host, port)


# ------------------------------------------------------------------ readers


def read_batch_days(conn) -> list[date]:
    """The days the batch layer has built, newest first (the partitions of page_stats_daily)."""
    cur = conn.cursor()
    try:
        cur.execute(f"SHOW PARTITIONS {DAY_TABLE}")
        return batch_days([row[0] for row in cur.fetchall()])
    finally:
        cur.close()


def read_day(conn, day: date) -> dict[str, pd.DataFrame]:
    """Every daily table's rows for the day, one SELECT each."""
    frames, cur = {}, conn.cursor()
    try:
        for table, columns in names.DAILY_TABLES.items():
            cur.execute(
                f"SELECT {', '.join(f'`{c}`' for c in columns)} FROM {table} WHERE dt = %(day)s",
                {"day": day.isoformat()},
            )
            frames[table] = pd.DataFrame(cur.fetchall(), columns=list(columns))
    finally:
        cur.close()
    return frames


def read_user_day(conn, day: date, app: str, user: str) -> pd.DataFrame:
    """The user's page views, carts and purchases of the day from the archive (Hive `events`), in time order."""
    cur = conn.cursor()
    try:
        cur.execute(
            "SELECT event_time, event_type, page FROM events WHERE dt = %(day)s AND app_id = %(app)s "
            f"AND user_id = %(user)s AND event_type IN ({', '.join(repr(c) for c in CHOICES)})",
            {"day": day.isoformat(), "app": app, "user": user},
        )
        return (
            pd.DataFrame(cur.fetchall(), columns=["event_time", "event_type", "page"])
            .sort_values("event_time", kind="stable")
            .reset_index(drop=True)
        )
    finally:
        cur.close()


# ------------------------------------------------------------------ shaping (no I/O)


def batch_days(partitions: list[str]) -> list[date]:
    """`dt=2025-03-04` partition names -> dates, newest first; names that are no date are left out."""
    days = set()
    for name in partitions:
        key, _, value = name.partition("=")
        if key != "dt":
            continue
        try:
            days.add(date.fromisoformat(value))
        except ValueError:
            continue
    return sorted(days, reverse=True)


def top_pages(pages: pd.DataFrame, n: int = 15) -> pd.DataFrame:
    """The day's n most viewed pages of every site together: views descending, then site and page."""
    ranked = pages.sort_values(["views", "app_id", "page"], ascending=[False, True, True], kind="stable")
    return ranked.head(n).reset_index(drop=True)


def sankey_links(paths: pd.DataFrame, app: str, n: int = 30) -> tuple[list[str], pd.DataFrame]:
    """The site's n most taken transitions as (node labels, links with source/target indexes and value).

    Pages left are the nodes on the left ("/cart →"), pages reached those on the right ("→ /cart"): visits come
    back to pages (home, cart), and a Sankey of one node per page would draw them as loops."""
    links = (
        paths[paths["app_id"] == app]
        .sort_values(["transitions", "from_page", "to_page"], ascending=[False, True, True], kind="stable")
        .head(n)
    )
    sources, targets = sorted(set(links["from_page"])), sorted(set(links["to_page"]))
    labels = [f"{p} →" for p in sources] + [f"→ {p}" for p in targets]
    left, right = {p: i for i, p in enumerate(sources)}, {p: len(sources) + i for i, p in enumerate(targets)}
    return labels, pd.DataFrame(
        {
            "source": [left[p] for p in links["from_page"]],
            "target": [right[p] for p in links["to_page"]],
            "value": links["transitions"].astype(int).tolist(),
        }
    )


def country_sites(geo: pd.DataFrame) -> pd.DataFrame:
    """Page views per country and site, the busiest country first."""
    per = geo.groupby(["country", "app_id"], as_index=False)["page_views"].sum()
    order = per.groupby("country")["page_views"].sum().sort_values(ascending=False, kind="stable")
    return (
        per.assign(rank=per["country"].map({c: i for i, c in enumerate(order.index)}))
        .sort_values(["rank", "app_id"], kind="stable")
        .drop(columns="rank")
        .reset_index(drop=True)
    )


def countries(geo: pd.DataFrame) -> pd.DataFrame:
    """Page views, events and users per country (all sites; users summed per site), with the ISO-3 code for the
    map (empty for a code it does not know)."""
    if geo.empty:
        return pd.DataFrame(columns=["country", "iso3", "page_views", "events", "unique_users"])
    per = geo.groupby("country", as_index=False)[["page_views", "events", "unique_users"]].sum()
    per.insert(1, "iso3", per["country"].map(ISO3).fillna(""))
    return per.sort_values(["page_views", "country"], ascending=[False, True], kind="stable").reset_index(drop=True)


def funnel(steps: pd.DataFrame) -> pd.DataFrame:
    return steps.sort_values("step_order", kind="stable").reset_index(drop=True)


def user_recommendations(recs: pd.DataFrame, app: str, user: str) -> pd.DataFrame:
    """One user's recommendations, best first."""
    mine = recs[(recs["app_id"] == app) & (recs["user_id"] == user)]
    return mine.sort_values("rank", kind="stable")[["rank", "page", "score", "source"]].reset_index(drop=True)


def chosen_items(day_events: pd.DataFrame) -> pd.DataFrame:
    """The catalog items a user chose that day (names.RECOMMENDABLE_PAGE), with how often they viewed each and
    whether they added it to the cart: what their recommendations leave out."""
    items = day_events[day_events["page"].str.match(names.RECOMMENDABLE_PAGE)]
    if items.empty:
        return pd.DataFrame(columns=["page", "views", "added_to_cart"])
    per = items.groupby("page", sort=False).agg(
        views=("event_type", lambda t: int((t == "page_view").sum())),
        added_to_cart=("event_type", lambda t: bool((t == "add_to_cart").any())),
    )
    return (
        per.reset_index().sort_values(["views", "page"], ascending=[False, True], kind="stable").reset_index(drop=True)
    )


def segment_summary(segments: pd.DataFrame) -> pd.DataFrame:
    """Per segment, lightest first: its users and the mean of each feature."""
    if segments.empty:
        return pd.DataFrame(columns=["segment", "segment_name", "users", *names.SEGMENT_FEATURES])
    per = segments.groupby(["segment", "segment_name"], as_index=False).agg(
        users=("user_id", "size"), **{f: (f, "mean") for f in names.SEGMENT_FEATURES}
    )
    return per.sort_values("segment", kind="stable").reset_index(drop=True)


def segment_sizes(segments: pd.DataFrame) -> pd.DataFrame:
    """Users per segment and site, for a stacked bar."""
    return (
        segments.groupby(["segment", "segment_name", "app_id"], as_index=False)
        .size()
        .rename(columns={"size": "users"})
        .sort_values(["segment", "app_id"], kind="stable")
        .reset_index(drop=True)
    )


def drift_summary(drift: pd.DataFrame) -> pd.DataFrame:
    """Per KPI and site: both layers' totals, the drift, and how many items (pages, minutes) differ."""
    cols = ["kpi", "app_id", "batch", "speed", "drift", "items", "differ"]
    if drift.empty:
        return pd.DataFrame(columns=cols)
    per = (
        drift.assign(differ=drift["drift"] != 0)
        .groupby(["kpi", "app_id"], as_index=False)
        .agg(
            batch=("batch", "sum"),
            speed=("speed", "sum"),
            drift=("drift", "sum"),
            items=("item", "size"),
            differ=("differ", "sum"),
        )
    )
    per["order"] = per["kpi"].map({k: i for i, k in enumerate(names.DRIFT_KPIS)})
    return per.sort_values(["order", "app_id"], kind="stable")[cols].reset_index(drop=True)


def drift_gaps(drift: pd.DataFrame, n: int = 50) -> pd.DataFrame:
    """The items where the layers differ, largest gap first, with the reason."""
    cols = ["app_id", "kpi", "item", "batch", "speed", "drift", "reason"]
    gaps = drift[drift["drift"] != 0] if not drift.empty else pd.DataFrame(columns=cols)
    return (
        gaps.assign(size=gaps["drift"].abs())
        .sort_values(["size", "app_id", "kpi", "item"], ascending=[False, True, True, True], kind="stable")[cols]
        .head(n)
        .reset_index(drop=True)
    )
