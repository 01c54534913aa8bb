"""`lab sim`: pause, resume, speed up or shrink the simulated users of one site or all three."""
from __future__ import annotations

from .sites import SITE_PORTS, SiteError, counters, simulation

COLUMNS = ("site", "paused", "speed", "users", "page views", "emitted", "produced", "spooled", "rejects")


def _row(app: str, state: dict) -> tuple:
    c = counters(app)
    return (app, "yes" if state["paused"] else "no", f"{state['speed']:g}", state["users"], c["site"]["page_views"],
            c["sink"]["emitted"], c["sink"]["produced"], c["sink"]["spooled"], c["site"]["collect_rejects"])


def sim(action: str, value: float | None, apps: list[str]) -> int:
    changes = {"pause": {"paused": True}, "resume": {"paused": False}, "status": {},
               "speed": {"speed": value}, "users": {"users": int(value) if value is not None else None}}[action]
    rows, failed = [], False
    for app in apps or list(SITE_PORTS):
        try:
            rows.append(_row(app, simulation(app, **changes)))
        except SiteError as exc:
            print(f"lab sim: {exc}")
            failed = True
    if rows:
        widths = [max(len(str(x)) for x in col) for col in zip(COLUMNS, *rows)]
        for line in (COLUMNS, *rows):
            print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())
    return 1 if failed else 0
