"""The three sites from the host: their simulation control API and their counters."""

from __future__ import annotations

import requests

from activity_contract.names import APPS

from . import endpoints
from .compose import read_env

SITE_PORTS = {app: endpoints.port(app) for app in APPS}  # as published to the host


class SiteError(RuntimeError):
    pass


def site_url(app: str) -> str:
    if app not in SITE_PORTS:
        raise SiteError(f"unknown site {app!r}; sites: {', '.join(SITE_PORTS)}")
    return endpoints.url(app)


def simulation(app: str, token: str | None = None, **changes) -> dict:
    """GET /admin/simulation, or PUT the given changes (paused, speed, users); returns the new state."""
    token = token or read_env()["LAB_ADMIN_TOKEN"]
    method = "PUT" if changes else "GET"
    try:
        r = requests.request(
            method,
            f"{site_url(app)}/admin/simulation",
            json=changes or None,
            timeout=10,
            headers={"Authorization": f"Bearer {token}"},
        )
    except requests.ConnectionError as exc:
        raise SiteError(f"{app}: site not reachable on {site_url(app)} (is the lab up? `make up`)") from exc
    if r.status_code != 200:
        try:
            body = r.json()
            detail = f"{body.get('field', '')}: {body['message']}" if body.get("field") else body["message"]
        except (ValueError, KeyError):
            detail = r.text.strip()
        raise SiteError(f"{app}: {method} /admin/simulation refused (HTTP {r.status_code}): {detail}")
    return r.json()


def counters(app: str) -> dict:
    """The site's counters from /healthz: {"sink": {emitted, produced, spooled, ...}, "site": {page_views, ...}}."""
    try:
        return requests.get(f"{site_url(app)}/healthz", timeout=10).json()["counters"]
    except requests.ConnectionError as exc:
        raise SiteError(f"{app}: site not reachable on {site_url(app)} (is the lab up? `make up`)") from exc
