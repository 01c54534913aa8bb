"""The sites' simulation control (`GET`/`PUT /admin/simulation`), called from the dashboard's server process:
the admin token stays there, the browser only ever sees the resulting state."""

from __future__ import annotations

import requests

from producers.control import SPEED_MAX, SPEED_MIN

__all__ = ["SPEED_MAX", "SPEED_MIN", "SimulationError", "SiteAdmin", "speed_value"]


class SimulationError(RuntimeError):
    pass


def speed_value(raw: float) -> float:
    """A slider position as the speed sent to a site: on the slider's 0.1 grid, within the sites' range."""
    return min(SPEED_MAX, max(SPEED_MIN, round(float(raw), 1)))


class SiteAdmin:
    def __init__(self, site_urls: dict[str, str], token: str, timeout_s: float = 5.0):
        self.site_urls, self._token, self.timeout_s = dict(site_urls), token, timeout_s

    def state(self, app: str) -> dict:
        return self._call("GET", app)

    def update(self, app: str, **changes) -> dict:
        return self._call("PUT", app, changes)

    def _call(self, method: str, app: str, body: dict | None = None) -> dict:
        url = f"{self.site_urls[app]}/admin/simulation"
        try:
            r = requests.request(
                method, url, json=body, timeout=self.timeout_s, headers={"Authorization": f"Bearer {self._token}"}
            )
        except requests.RequestException as exc:
            raise SimulationError(f"{app}: site unreachable ({type(exc).__name__})") from None
        if r.status_code != 200:
            try:
                detail = r.json().get("message", r.text)
            except ValueError:
                detail = r.text
            raise SimulationError(f"{app}: {method} /admin/simulation answered HTTP {r.status_code}: {detail}")
        return r.json()
