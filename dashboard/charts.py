"""The dashboard's Plotly figures, built from live_data's frames (no I/O)."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from activity_contract import names

SITE_COLORS = {names.SHOP: "#2563eb", names.NEWS: "#d97706", names.LEARN: "#059669"}
HEIGHT = 300


def _layout(fig: go.Figure, height: int = HEIGHT, **extra) -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=8, r=8, t=36, b=8),
        legend_title_text="",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        **extra,
    )
    return fig


def events_per_minute(frame: pd.DataFrame) -> go.Figure:
    fig = px.line(
        frame,
        x="minute",
        y="events",
        color="app",
        markers=True,
        color_discrete_map=SITE_COLORS,
        hover_data={"page_views": True, "errors": True},
        labels={"minute": "minute (UTC)", "events": "events / minute"},
    )
    return _layout(fig, hovermode="x unified")


def health_bars(sites: list[dict]) -> go.Figure:
    """Each site's error rate and p95 latency over the last minute, side by side."""
    apps = [s["app"] for s in sites]
    colors = [SITE_COLORS.get(a, "#6b7280") for a in apps]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("error rate, last minute (%)", "p95 latency, last minute (ms)"))
    fig.add_bar(
        x=apps,
        y=[(s["error_rate_1m"] or 0) * 100 for s in sites],
        marker_color=colors,
        row=1,
        col=1,
        hovertemplate="%{x}: %{y:.1f} %<extra></extra>",
    )
    fig.add_bar(
        x=apps,
        y=[s["p95_latency_ms_1m"] or 0 for s in sites],
        marker_color=colors,
        row=1,
        col=2,
        hovertemplate="%{x}: %{y:.0f} ms<extra></extra>",
    )
    fig.update_yaxes(rangemode="nonnegative")  # all-zero error rates: an axis from 0, not -1..1
    return _layout(fig, showlegend=False)


def page_bars(frame: pd.DataFrame, value: str, title: str) -> go.Figure:
    """Horizontal bars of pages (labelled `site  page`, biggest on top), coloured by site."""
    data = frame.assign(label=frame["app"] + "  " + frame["page"]).sort_values(value)
    fig = px.bar(
        data,
        x=value,
        y="label",
        color="app",
        orientation="h",
        color_discrete_map=SITE_COLORS,
        labels={"label": "", value: title},
        hover_data={"label": False, "page": True},
    )
    fig.update_yaxes(categoryorder="total ascending")
    return _layout(fig, height=max(HEIGHT, 22 * len(data) + 80))


def sessions_timeline(sessions: pd.DataFrame) -> go.Figure:
    """Each live session from its start to its last event, one line per user."""
    data = sessions.assign(
        end=sessions["last_seen"].where(
            sessions["last_seen"] > sessions["start"], sessions["start"] + pd.Timedelta(seconds=5)
        )
    )
    fig = px.timeline(
        data,
        x_start="start",
        x_end="end",
        y="user_id",
        color="app",
        color_discrete_map=SITE_COLORS,
        hover_data={
            "end": False,
            "current_page": True,
            "entry_page": True,
            "page_count": True,
            "event_count": True,
            "last_seen": True,
        },
        labels={"user_id": ""},
    )
    fig.update_yaxes(categoryorder="category descending")
    return _layout(fig, height=max(HEIGHT, 18 * len(data) + 80))


def user_pages(frame: pd.DataFrame) -> go.Figure:
    """A user's recent pages over time, the path between them."""
    data = frame.sort_values("time")
    fig = px.line(
        data,
        x="time",
        y="page",
        color="app_id",
        markers=True,
        color_discrete_map=SITE_COLORS,
        labels={"time": "time (UTC)", "page": "", "app_id": "site"},
    )
    return _layout(fig, height=max(HEIGHT, 20 * data["page"].nunique() + 100))


# ------------------------------------------------------------------ history (the batch layer's daily tables)


def navigation_sankey(labels: list[str], links: pd.DataFrame, color: str) -> go.Figure:
    """The site's most taken page-to-page transitions (history_data.sankey_links)."""
    fig = go.Figure(
        go.Sankey(
            node=dict(label=labels, pad=12, thickness=14, color=color),
            link=dict(source=links["source"], target=links["target"], value=links["value"]),
        )
    )
    return _layout(fig, height=max(HEIGHT, 18 * len(labels) + 60))


def country_map(per_country: pd.DataFrame) -> go.Figure:
    """Page views per country (history_data.countries) on a world map. The browser fetches the countries' shapes
    from Plotly's CDN: offline, the map stays empty (the bars next to it do not need them)."""
    data = per_country[per_country["iso3"] != ""]
    fig = px.choropleth(
        data,
        locations="iso3",
        color="page_views",
        hover_name="country",
        hover_data={"iso3": False, "events": True, "unique_users": True},
        color_continuous_scale="Blues",
        labels={"page_views": "page views"},
    )
    fig.update_geos(showframe=False, projection_type="natural earth")
    return _layout(fig, height=380)


def country_bars(per_country_site: pd.DataFrame) -> go.Figure:
    """Page views per country (history_data.country_sites), stacked by site."""
    fig = px.bar(
        per_country_site,
        x="country",
        y="page_views",
        color="app_id",
        color_discrete_map=SITE_COLORS,
        labels={"page_views": "page views", "app_id": "site"},
    )
    return _layout(fig)


def section_bars(sections: pd.DataFrame) -> go.Figure:
    data = sections.assign(label=sections["app_id"] + "  " + sections["section"]).sort_values("page_views")
    fig = px.bar(
        data,
        x="page_views",
        y="label",
        color="app_id",
        orientation="h",
        color_discrete_map=SITE_COLORS,
        hover_data={"label": False, "unique_users": True, "avg_time_on_page_s": ":.1f"},
        labels={"label": "", "page_views": "page views", "app_id": "site"},
    )
    return _layout(fig, height=max(HEIGHT, 22 * len(data) + 80))


def shop_funnel(steps: pd.DataFrame) -> go.Figure:
    fig = px.funnel(
        steps,
        x="sessions",
        y="step",
        hover_data={"conversion": ":.1%"},
        color_discrete_sequence=[SITE_COLORS[names.SHOP]],
    )
    return _layout(fig)


def segment_bars(sizes: pd.DataFrame) -> go.Figure:
    """Users per segment (history_data.segment_sizes), lightest first, stacked by site."""
    fig = px.bar(
        sizes,
        x="segment_name",
        y="users",
        color="app_id",
        color_discrete_map=SITE_COLORS,
        labels={"segment_name": "segment", "app_id": "site"},
    )
    fig.update_xaxes(categoryorder="array", categoryarray=list(dict.fromkeys(sizes["segment_name"])))
    return _layout(fig)
