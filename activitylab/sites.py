"""The three sites from the host: their admin API (activity_clients/site_admin.py) at the ports .env publishes."""

from __future__ import annotations

from activity_clients import endpoints
from activity_clients.checkout import read_env
from activity_clients.site_admin import SiteAdmin, SiteError
from activity_contract.names import APPS

__all__ = ["SITE_PORTS", "SiteError", "admin", "counters", "simulation", "site_url"]

SITE_PORTS = {app: endpoints.port(app) for app in APPS}  # as published to the host


def _sites(token: str | None) -> SiteAdmin:
    return SiteAdmin(
        {app: endpoints.url(app) for app in APPS}, token, timeout_s=10, unreachable_hint="is the lab up? `make up`"
    )


def admin(token: str | None = None) -> SiteAdmin:
    """The sites' admin API from the host; the token from .env unless given."""
    return _sites(token or read_env()["LAB_ADMIN_TOKEN"])


def site_url(app: str) -> str:
    return _sites(None).url(app)


def simulation(app: str, token: str | None = None, **changes) -> dict:
    """GET /admin/simulation, or PUT the given changes (paused, speed, users); returns the new state."""
    sites = admin(token)
    return sites.update(app, **changes) if changes else sites.state(app)


def counters(app: str) -> dict:
    """The site's counters from /healthz (no token needed)."""
    return _sites(None).counters(app)
