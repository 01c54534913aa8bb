"""The dashboard's simulation controls: a slider position as the speed sent to a site (the sites' admin API client
is activity_clients/site_admin.py; the token stays in the dashboard's server process)."""

from __future__ import annotations

from activity_contract.names import SIM_SPEED_MAX, SIM_SPEED_MIN


def speed_value(raw: float) -> float:
    """A slider position as the speed sent to a site: on the slider's 0.1 grid, within the sites' range."""
    return min(SIM_SPEED_MAX, max(SIM_SPEED_MIN, round(float(raw), 1)))
