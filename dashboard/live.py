"""The dashboard's live page: the speed layer's views in HBase, the Storm topology's health from Nimbus, and the
sites' simulated users under control (dashboard/README.md; dashboard/app.py serves it at /).

Each part refreshes itself as a fragment (`st.fragment(run_every=...)`): only that part reruns, the page
never reloads. Every read happens here, on the server; the admin token never reaches the browser.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from activity_clients.nimbus import topology_summary
from activity_clients.site_admin import SiteAdmin, SiteError
from activity_contract import names
from activity_contract.names import SIM_SPEED_MAX, SIM_SPEED_MIN
from dashboard import cards, charts, live_data
from dashboard.settings import Settings
from dashboard.simulation import speed_value

SETTINGS = Settings.from_env()
APPS = SETTINGS.apps
SESSIONS_SHOWN = 40  # the timeline's rows


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


# ------------------------------------------------------------------ Storm topology health (Nimbus)


@st.fragment(run_every=SETTINGS.topology_refresh_s)
def topology_health():
    where = f"{SETTINGS.nimbus_host}:{SETTINGS.nimbus_port}"
    try:
        topo = topology_summary(SETTINGS.nimbus_host, SETTINGS.nimbus_port)
    except Exception as exc:  # Thrift/socket errors of every kind: Nimbus is down or restarting
        st.error(
            f"**Nimbus unreachable** at {where} ({type(exc).__name__}): topology health unknown.",
            icon=":material/error:",
        )
        return
    if topo is None:
        st.warning(
            f"**Topology not running**: Nimbus ({where}) runs no topology `{names.TOPOLOGY_NAME}`, so "
            "the live views below stop moving. `lab status` shows Storm's state.",
            icon=":material/warning:",
        )
        return
    st.caption(f"Storm topology `{topo['name']}` (Nimbus {where}, refreshed every {SETTINGS.topology_refresh_s:g} s)")
    cols = st.columns(7)
    cols[0].metric("status", topo["status"])
    cols[1].metric("uptime", duration(topo["uptime_s"]))
    cols[2].metric("workers / executors", f"{topo['workers']} / {topo['executors']}")
    cols[3].metric("tuples emitted", f"{topo['emitted']:,}")
    cols[4].metric("acked", f"{topo['acked']:,}")
    cols[5].metric("failed", f"{topo['failed']:,}")
    cols[6].metric("complete latency", f"{topo['complete_latency_ms']:.0f} ms")


# ------------------------------------------------------------------ live views (HBase)


def read_hbase(now: datetime, user_id: str | None) -> dict:
    """Every raw read of one refresh, through one connection."""
    conn = live_data.connect(SETTINGS.hbase_host, SETTINGS.hbase_port)
    try:
        active = live_data.read_active_rows(conn, APPS)
        live = live_data.live_users(active, int(now.timestamp() * 1000))
        users = live_data.read_user_rows(conn, sorted(set(live) | ({user_id} if user_id else set())))
        return {
            "active": active,
            "live": live,
            "users": users,
            "sessions": live_data.read_session_rows(
                conn, live_data.live_session_keys({u: c for u, c in users.items() if u in live}).values()
            ),
            "minutes": live_data.read_minute_rows(conn, APPS, now),
            "alerts": live_data.read_alert_rows(conn, APPS),
        }
    finally:
        conn.close()


@st.cache_data(ttl=30, show_spinner=False)
def all_time_top_pages(apps: tuple[str, ...]):
    """page_counts holds every page ever viewed: scanned every 30 s for all browsers, not on every refresh."""
    conn = live_data.connect(SETTINGS.hbase_host, SETTINGS.hbase_port)
    try:
        return live_data.top_pages(live_data.read_page_counts(conn, apps))
    finally:
        conn.close()


@st.fragment(run_every=SETTINGS.refresh_s)
def live_views():
    now = datetime.now(UTC)
    now_ms = int(now.timestamp() * 1000)
    try:
        raw = read_hbase(now, st.session_state.get("user"))
        top = all_time_top_pages(APPS)
    except Exception as exc:  # Thrift/socket errors of every kind
        st.error(
            f"**HBase unreachable** at {SETTINGS.hbase_host}:{SETTINGS.hbase_port} ({type(exc).__name__}: "
            f"{exc}). The views come back by themselves once its Thrift server answers.",
            icon=":material/error:",
        )
        return

    alerts = live_data.alert_records(raw["alerts"])
    alerting = live_data.current_alerts(alerts, now_ms)
    for alert in alerting.values():
        st.error(
            f"**Alert** {alert['time'][11:19]} UTC, {alert['type']}: {alert['message']}",
            icon=":material/notifications_active:",
        )

    sites = {app: live_data.site_summary(app, raw["active"].get(app, {})) for app in APPS}
    st.html(
        cards.site_cards(
            [
                cards.site_card(
                    app,
                    sites[app],
                    charts.SITE_COLORS.get(app, "#6b7280"),
                    live_data.age_s(sites[app] and sites[app]["updated_at"], now),
                    app in alerting,
                )
                for app in APPS
            ]
        )
    )
    if not any(sites.values()) and not raw["minutes"]:
        st.info(
            "**No data yet**: nothing counted in HBase. The Storm topology fills these views from "
            "`user-activity` once it runs (see its health above).",
            icon=":material/hourglass_empty:",
        )
        return

    st.subheader("Events per minute, last 30 minutes")
    st.plotly_chart(charts.events_per_minute(live_data.minute_frame(raw["minutes"], APPS, now)), key="events")

    left, right = st.columns(2)
    with left:
        st.subheader("Error rate and p95 latency")
        counted = [s for s in sites.values() if s and s["health_at"]]
        if counted:
            st.plotly_chart(charts.health_bars(counted), key="health")
        else:
            st.info("No health measured yet (the alerting bolt writes it every few seconds).")
    with right:
        st.subheader("Recent alerts")
        if not alerts:
            st.success("No alert raised.")
        for alert in alerts[:8]:
            current = alerting.get(alert["app"]) is alert
            mark = ":red[:material/notifications_active:]" if current else ":material/history:"
            st.markdown(f"{mark} `{alert['time'][5:19].replace('T', ' ')}` {alert['message']}")

    sessions = live_data.live_sessions_frame(raw["sessions"])
    left, right = st.columns(2)
    with left:
        st.subheader("Top pages now")
        if sessions.empty:
            st.info("No live session.")
        else:
            st.plotly_chart(
                charts.page_bars(live_data.current_pages(sessions), "sessions", "live sessions on the page"),
                key="pages-now",
            )
    with right:
        st.subheader("Top pages, all time")
        if top.empty:
            st.info("No page view counted yet.")
        else:
            st.plotly_chart(charts.page_bars(top, "views", "page views"), key="pages-all")

    st.subheader(f"Live sessions: {len(sessions)}")
    if len(sessions) > SESSIONS_SHOWN:
        st.caption(f"The {SESSIONS_SHOWN} most recently active.")
    if not sessions.empty:
        st.plotly_chart(charts.sessions_timeline(sessions.head(SESSIONS_SHOWN)), key="sessions")

    st.subheader("A user's recent pages")
    options = sorted(raw["live"])
    if st.session_state.get("user") and st.session_state["user"] not in options:
        options.append(st.session_state["user"])  # keeps the choice while its user is idle
    if not options:
        st.info("No user seen in the last 30 minutes.")
        return
    user = st.selectbox("user", options, key="user", index=None, placeholder="choose a user")
    if user:
        pages = live_data.recent_pages(raw["users"].get(user, {}))
        if pages.empty:
            st.info(f"No page recorded for {user}.")
        else:
            st.plotly_chart(charts.user_pages(pages), key="user-pages")


# ------------------------------------------------------------------ simulation control (sites' admin API)


def _state_key(state: dict) -> tuple:
    return state["paused"], state["speed"], state["users"]


def _version(app: str, state: dict) -> int:
    """Counts the changes of the site's state since this page opened; part of the form's key, so a change made
    elsewhere (`lab sim`, another browser, a test) shows in fresh widgets."""
    seen = st.session_state.setdefault("sim_seen", {})
    versions = st.session_state.setdefault("sim_version", {})
    if seen.get(app) != _state_key(state):
        seen[app] = _state_key(state)
        versions[app] = versions.get(app, 0) + 1
    return versions[app]


def _send(admin: SiteAdmin, app: str, **change) -> None:
    try:
        admin.update(app, **change)
    except SiteError as exc:
        st.session_state["sim_error"] = str(exc)


def _send_form(admin: SiteAdmin, app: str, v: int) -> None:
    _send(
        admin,
        app,
        speed=speed_value(st.session_state[f"speed-{app}-{v}"]),
        users=int(st.session_state[f"users-{app}-{v}"]),
    )


@st.fragment(run_every=SETTINGS.topology_refresh_s)
def simulation_control():
    """Only an explicit action reaches a site: the pause/resume button, or a form's `apply`. Widgets that change a
    site as soon as their value changes (on_change) did it without anyone touching them: Streamlit reports values
    for widgets it recreates (a state change elsewhere, or widget state dropped by auto-rerunning fragments), and a
    CI run's page set every site to the controls' minimums (speed 0.1, 0 users), which stopped the users."""
    st.header("Simulated users")
    if error := st.session_state.pop("sim_error", None):
        st.error(error)
    admin = SiteAdmin(SETTINGS.site_urls, SETTINGS.admin_token)
    for app in SETTINGS.site_urls:
        st.subheader(app)
        try:
            state = admin.state(app)
        except SiteError as exc:
            st.error(str(exc))
            continue
        v = _version(app, state)
        with st.container(key=f"state-{app}"):  # one element per site whatever the widgets' keys
            st.caption(
                f"{'paused' if state['paused'] else 'running'}, speed {state['speed']:g}×, {state['users']} users"
            )
        st.button(
            "resume" if state["paused"] else "pause",
            key=f"run-{app}-{v}",
            on_click=_send,
            args=(admin, app),
            kwargs={"paused": not state["paused"]},
        )
        with st.form(key=f"sim-{app}-{v}", border=False):
            st.slider(
                "speed",
                SIM_SPEED_MIN,
                SIM_SPEED_MAX,
                value=speed_value(state["speed"]),
                step=0.1,
                format="%.1f×",
                key=f"speed-{app}-{v}",
            )
            st.number_input("users", 0, state["max_users"], value=int(state["users"]), step=1, key=f"users-{app}-{v}")
            st.form_submit_button("apply", key=f"apply-{app}-{v}", on_click=_send_form, args=(admin, app, v))


# ------------------------------------------------------------------ page

st.title("Activity Lab: live")
st.caption(
    f"The speed layer's views in HBase ({SETTINGS.hbase_host}:{SETTINGS.hbase_port}), refreshed every "
    f"{SETTINGS.refresh_s:g} s. Times are UTC."
)
topology_health()
live_views()
with st.sidebar:
    simulation_control()
