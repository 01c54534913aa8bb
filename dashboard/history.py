"""The dashboard's history page (/history): one day of the batch layer's daily tables in Hive (dashboard/README.md).

The day comes from the date picker, or `?day=YYYY-MM-DD` in the address (the newest day with a batch run when
neither is given). A day the DAG has not built yet says so instead of showing empty charts. Hive is read on the
server, one plain SELECT per table, cached for DASHBOARD_HISTORY_CACHE_S.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html import escape

import streamlit as st

from activity_contract import names
from dashboard import charts, history_data
from dashboard.settings import Settings

SETTINGS = Settings.from_env()
WHERE = f"HiveServer2 {SETTINGS.hive_host}:{SETTINGS.hive_port}"


@st.cache_data(ttl=SETTINGS.history_cache_s, show_spinner=False)
def batch_days() -> list[date]:
    conn = history_data.connect(SETTINGS.hive_host, SETTINGS.hive_port)
    try:
        return history_data.read_batch_days(conn)
    finally:
        conn.close()


@st.cache_data(ttl=SETTINGS.history_cache_s, show_spinner=f"Reading the day's tables from Hive ({WHERE})")
def day_tables(day: date):
    conn = history_data.connect(SETTINGS.hive_host, SETTINGS.hive_port)
    try:
        return history_data.read_day(conn, day)
    finally:
        conn.close()


@st.cache_data(ttl=SETTINGS.history_cache_s, show_spinner=f"Reading the user's day from Hive ({WHERE})")
def user_day(day: date, app: str, user: str):
    conn = history_data.connect(SETTINGS.hive_host, SETTINGS.hive_port)
    try:
        return history_data.read_user_day(conn, day, app, user)
    finally:
        conn.close()


FIRST_DAY = date(2000, 1, 1)  # the DAG's start date: no day before it can be built


def requested_day(days: list[date], today: date) -> date:
    """`?day=` when it is a date the picker offers, else the newest day built, else yesterday (UTC)."""
    try:
        asked = date.fromisoformat(st.query_params.get("day", ""))
        if FIRST_DAY <= asked <= today:
            return asked
    except ValueError:
        pass
    return days[0] if days else today - timedelta(days=1)


def top_pages_section(pages):
    st.subheader("Top pages")
    if pages.empty:
        st.info("No page view that day.")
        return
    top = history_data.top_pages(pages)
    first = top.iloc[0]
    # The busiest page as data attributes too: what the end-to-end test compares with Hive.
    st.html(
        f'<div data-testid="history-top-page" data-app="{escape(first["app_id"])}" '
        f'data-page="{escape(first["page"])}" data-views="{int(first["views"])}">Busiest page: '
        f"<b>{escape(first['app_id'])} {escape(first['page'])}</b>, {int(first['views']):,} views by "
        f"{int(first['unique_users']):,} users, p95 latency {first['p95_latency_ms']:.0f} ms</div>"
    )
    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            charts.page_bars(top.rename(columns={"app_id": "app"}), "views", "page views"), key="history-pages"
        )
    with right:
        st.dataframe(
            top[["app_id", "page", "views", "unique_users", "p95_latency_ms", "avg_latency_ms", "errors"]],
            hide_index=True,
            column_config={
                "p95_latency_ms": st.column_config.NumberColumn(format="%.1f"),
                "avg_latency_ms": st.column_config.NumberColumn(format="%.1f"),
            },
        )


def sessions_section(sessions):
    st.subheader("Sessions")
    if sessions.empty:
        st.info("No session that day.")
        return
    cols = st.columns(len(sessions))
    for col, (_, row) in zip(cols, sessions.sort_values("app_id").iterrows(), strict=True):
        col.metric(f"{row['app_id']}: sessions", f"{int(row['sessions']):,}")
        col.caption(
            f"bounce rate {row['bounce_rate']:.0%} · {row['avg_duration_s'] / 60:.1f} min on average · "
            f"{row['pages_per_session']:.1f} pages per session · enters on {row['top_entry_page']}, "
            f"leaves from {row['top_exit_page']}"
        )


def navigation_section(paths):
    st.subheader("Navigation paths")
    apps = [a for a in names.APPS if a in set(paths["app_id"])]
    if not apps:
        st.info("No page-to-page transition that day.")
        return
    app = st.radio("site", apps, horizontal=True, key="paths-site")
    labels, links = history_data.sankey_links(paths, app)
    st.plotly_chart(
        charts.navigation_sankey(labels, links, charts.SITE_COLORS.get(app, "#6b7280")), key="history-sankey"
    )


def geography_section(geo):
    st.subheader("Geography")
    per_country = history_data.countries(geo)
    if per_country.empty:
        st.info("No located event that day.")
        return
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.country_map(per_country), key="history-map")
    with right:
        st.plotly_chart(charts.country_bars(history_data.country_sites(geo)), key="history-countries")
    st.dataframe(per_country.drop(columns="iso3"), hide_index=True)


def recommendations_section(day, recs, quality):
    st.subheader("Recommendations")
    if recs.empty:
        st.info("No recommendations for this day: its run has not reached the Mahout step (`lab batch run`).")
        return
    if not quality.empty:
        q = quality.iloc[0]
        st.caption(
            f"precision@5 on the day's latest choices held out: **{q['precision_at_5']:.1%}** "
            f"(most popular items: {q['popular_precision_at_5']:.1%}), {int(q['users_evaluated'])} users, "
            f"{int(q['held_out_items'])} held-out items (docs/metrics.md)"
        )
    left, right = st.columns([1, 3])
    with left:
        apps = [a for a in names.APPS if a in set(recs["app_id"])]
        app = st.radio("site", apps, horizontal=True, key="recs-site")
        user = st.selectbox("user", sorted(set(recs.loc[recs["app_id"] == app, "user_id"])), key="recs-user")
    mine = history_data.user_recommendations(recs, app, user)
    with right:
        rec_col, seen_col = st.columns(2)
        rec_col.caption("recommended (Mahout's item-based first, then the site's popular items)")
        rec_col.dataframe(mine, hide_index=True, key="history-recs")
        seen_col.caption("chosen that day, so not recommended")
        try:
            seen_col.dataframe(history_data.chosen_items(user_day(day, app, user)), hide_index=True)
        except Exception as exc:
            seen_col.warning(f"Reading the user's events failed ({type(exc).__name__}: {exc}).")


def segments_section(segments):
    st.subheader("User segments")
    if segments.empty:
        st.info("No segments for this day: its run has not reached the Mahout step (`lab batch run`).")
        return
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.segment_bars(history_data.segment_sizes(segments)), key="history-segments")
    with right:
        st.caption("k-means on each user's day (docs/metrics.md); mean per user of each segment")
        st.dataframe(
            history_data.segment_summary(segments).drop(columns="segment"),
            hide_index=True,
            column_config={f: st.column_config.NumberColumn(format="%.1f") for f in names.SEGMENT_FEATURES},
        )


def drift_section(drift):
    st.subheader("Speed vs batch")
    if drift.empty:
        st.info(
            "No comparison for this day: its run has not reached `data_quality`, or HBase was unreachable "
            "then (the task's log says)."
        )
        return
    st.caption(
        "The speed layer's counts (Storm, HBase) against the batch layer's (Hive `events`) for the same "
        "day: page views per page, events per minute, active users; drift = batch − speed "
        "(docs/metrics.md)"
    )
    summary, gaps = history_data.drift_summary(drift), history_data.drift_gaps(drift, n=len(drift))
    # The largest gap as data attributes too: what the end-to-end test compares with Hive.
    if gaps.empty:
        st.html(
            f'<div data-testid="history-drift" data-gaps="0">The layers agree on all {len(drift):,} pages, '
            "minutes and sites.</div>"
        )
    else:
        first = gaps.iloc[0]
        st.html(
            f'<div data-testid="history-drift" data-gaps="{len(gaps)}" data-app="{escape(first["app_id"])}" '
            f'data-kpi="{escape(first["kpi"])}" data-item="{escape(first["item"])}" '
            f'data-drift="{int(first["drift"])}">{len(gaps):,} of {len(drift):,} items differ. Largest: '
            f"<b>{escape(first['app_id'])} {escape(first['kpi'])} {escape(first['item'])}</b>, batch "
            f"{int(first['batch']):,}, speed {int(first['speed']):,}: {escape(first['reason'])}</div>"
        )
    st.dataframe(summary, hide_index=True, key="history-drift")
    if not gaps.empty:
        st.dataframe(gaps.head(50), hide_index=True, key="history-drift-gaps")


st.title("Activity Lab: history")
st.caption(
    f"The batch layer's daily tables in Hive ({WHERE}), built by the Airflow DAG `activity_daily_batch`. Days are UTC."
)
try:
    days = batch_days()
except Exception as exc:  # Thrift/socket errors of every kind: HiveServer2 down, restarting, or not started
    st.error(
        f"**Hive unreachable** ({WHERE}: {type(exc).__name__}: {exc}). The batch engines start with "
        "`make up` (the light lab, `LIGHT=1`, has none); `lab status` shows HiveServer2's state.",
        icon=":material/error:",
    )
    st.stop()

today = datetime.now(UTC).date()
if "day" not in st.session_state:  # the widget's first value; after that, the picker's own state
    st.session_state["day"] = requested_day(days, today)
day = st.date_input("day (UTC)", key="day", format="YYYY-MM-DD", min_value=FIRST_DAY, max_value=today)
st.query_params["day"] = day.isoformat()
if day not in days:
    built = ", ".join(d.isoformat() for d in days[:5]) or "none yet"
    st.info(
        f"**No batch run for {day.isoformat()} yet.** The DAG builds each day after it ends (00:00 UTC); "
        f"`lab batch run --date {day.isoformat()}` builds it now. Days built (newest first): {built}.",
        icon=":material/event_busy:",
    )
    st.stop()

try:
    tables = day_tables(day)
except Exception as exc:
    st.error(
        f"**Reading {day.isoformat()} from Hive failed** ({WHERE}: {type(exc).__name__}: {exc}).",
        icon=":material/error:",
    )
    st.stop()

top_pages_section(tables["page_stats_daily"])
sessions_section(tables["sessions_daily"])
left, right = st.columns(2)
with left:
    st.subheader("Sections")
    st.plotly_chart(charts.section_bars(tables["section_engagement_daily"]), key="history-sections")
with right:
    st.subheader("Shop funnel")
    steps = history_data.funnel(tables["shop_funnel_daily"])
    if steps.empty:
        st.info("No shop session that day.")
    else:
        st.plotly_chart(charts.shop_funnel(steps), key="history-funnel")
navigation_section(tables["navigation_paths_daily"])
geography_section(tables["geo_traffic_daily"])
recommendations_section(day, tables["recommendations"], tables["recommendation_quality"])
segments_section(tables["user_segments"])
drift_section(tables["speed_batch_drift"])
