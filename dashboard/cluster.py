"""The dashboard's Cluster page (/cluster): how the lab's services are doing, from Prometheus (dashboard/README.md).

The pipeline map (each hop with its rate now and its backlog, coloured by health), the alerts firing, each part's
figures (HDFS, YARN, Kafka, HBase), and every scrape target with its heap, GC and restarts. Read from Prometheus'
HTTP API on the server at each refresh (DASHBOARD_REFRESH_S x 5): the browser gets the drawing only.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from activity_clients.prometheus import Prometheus, PrometheusError
from dashboard import cluster_data
from dashboard.settings import Settings

SETTINGS = Settings.from_env()
PROMETHEUS = Prometheus(SETTINGS.prometheus_url, timeout_s=5)
LINKS = SETTINGS.ui_links  # the components' own UIs, as the browser reaches them (compose.yaml's UI_LINKS)
REFRESH_S = max(15.0, SETTINGS.refresh_s * 5)  # Prometheus scrapes every 15 s: no news more often
st.title("Cluster")
st.caption(
    f"From Prometheus, which scrapes every component every 15 s; this page reads it every {REFRESH_S:g} s. "
    + " · ".join(f"[{name}]({url})" for name, url in LINKS.items())
)


def jobs_up(targets: list[dict]) -> dict[str, bool]:
    up: dict[str, bool] = {}
    for t in targets:
        job = t["labels"].get("job", "?")
        up[job] = up.get(job, False) or t["health"] == "up"
    return up


@st.fragment(run_every=REFRESH_S)
def cluster():
    try:
        targets = PROMETHEUS.targets()
        alerts = PROMETHEUS.alerts()
        firing = [a for a in alerts if a["state"] == "firing"]
        states = cluster_data.edge_states(PROMETHEUS.value, jobs_up(targets), firing)
        figures = {
            part: [(title, PROMETHEUS.value(q), unit) for title, q, unit in rows]
            for part, rows in cluster_data.FIGURES.items()
        }
        services = cluster_data.service_rows({k: PROMETHEUS.query(q) for k, q in cluster_data.SERVICE_QUERIES.items()})
    except PrometheusError as exc:
        st.error(f"**Prometheus unreachable**: {exc}", icon=":material/error:")
        return

    if firing:
        st.error(
            "**Alerts firing**: "
            + "; ".join(f"`{a['labels'].get('alertname')}` {a['annotations'].get('summary', '')}" for a in firing),
            icon=":material/notifications_active:",
        )
    else:
        pending = sum(a["state"] == "pending" for a in alerts)
        st.success("No alert firing" + (f" ({pending} pending)" if pending else ""), icon=":material/check_circle:")

    st.subheader("Pipeline")
    st.graphviz_chart(cluster_data.pipeline_dot(states), use_container_width=True)
    st.html(cluster_data.hops_html(states))

    columns = st.columns(len(figures))
    for column, (part, rows) in zip(columns, figures.items(), strict=True):
        column.markdown(f"**{part}**")
        for title, value, unit in rows:
            column.metric(title, cluster_data.human(value, unit))
    # The figures as data attributes too: what the end-to-end test compares with Prometheus.
    st.html(cluster_data.figures_html(figures, firing))

    up = sum(t["health"] == "up" for t in targets)
    st.subheader(f"Services: {up} of {len(targets)} scrape targets up")
    st.dataframe(services_frame(services), hide_index=True, use_container_width=True)


def services_frame(rows: list[dict]) -> pd.DataFrame:
    mib = 1024 * 1024
    return pd.DataFrame(
        [
            {
                "job": r["job"],
                "instance": r["instance"],
                "up": "up" if r.get("up") == 1 else "DOWN",
                "restarts (1 h)": r.get("restarts_1h"),
                "heap used MiB": round(r["heap_used"] / mib) if "heap_used" in r else None,
                "heap max MiB": round(r["heap_max"] / mib) if "heap_max" in r else None,
                "GC % of time": round(100 * r["gc"], 2) if "gc" in r else None,
                "RSS MiB": round(r["rss"] / mib) if "rss" in r else None,
            }
            for r in rows
        ]
    )


cluster()
