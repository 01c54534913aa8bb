"""`lab sim`: pause, resume, speed up or shrink the simulated users of one site or all three."""

from __future__ import annotations

import sys
import time
from typing import Any

from .sites import SITE_PORTS, SiteError, counters, simulation

COLUMNS = (
    "site",
    "paused",
    "speed",
    "users",
    "page views",
    "emitted",
    "produced",
    "spooled",
    "rejects",
    "simulator seen",
    "its requests",
    "its errors",
)
SIM_ERRORS = ("connection_errors", "collect_errors", "session_failures")


def _row(app: str, state: dict) -> tuple:
    c = counters(app)
    return (
        app,
        "yes" if state["paused"] else "no",
        f"{state['speed']:g}",
        state["users"],
        c["site"]["page_views"],
        c["sink"]["emitted"],
        c["sink"]["produced"],
        c["sink"]["spooled"],
        c["site"]["collect_rejects"],
        *simulator_columns(state.get("simulator")),
    )


def simulator_columns(status: dict | None) -> tuple:
    """When the simulator process last wrote its status (every 2 s while it runs), its page requests and the
    requests that failed (connection errors, refused /collect, sessions ended by an exception)."""
    if not status:
        return ("never", "-", "-")
    sim = status.get("counters", {})
    seen = f"{max(0.0, time.time() - float(status.get('heartbeat', 0))):.0f} s ago"
    return (seen, sim.get("page_requests", 0), sum(sim.get(k, 0) for k in SIM_ERRORS))


def sim(action: str, value: float | None, apps: list[str]) -> int:
    options: dict[str, dict[str, Any]] = {
        "pause": {"paused": True},
        "resume": {"paused": False},
        "status": {},
        "speed": {"speed": value},
        "users": {"users": int(value) if value is not None else None},
    }
    changes = options[action]
    rows, failed = [], False
    for app in apps or list(SITE_PORTS):
        try:
            rows.append(_row(app, simulation(app, **changes)))
        except SiteError as exc:
            print(f"lab sim: {exc}", file=sys.stderr)
            failed = True
    if rows:
        widths = [max(len(str(x)) for x in col) for col in zip(COLUMNS, *rows, strict=True)]
        for line in (COLUMNS, *rows):
            print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    return 1 if failed else 0
