"""The sites' admin API: their simulation control (`GET`/`PUT /admin/simulation`, bearer token) and their counters
(`/healthz`). The CLI calls it from the host, the dashboard from its server process (the token never reaches the
browser); each passes the sites' base URLs as it reaches them."""

from __future__ import annotations

import requests


class SiteError(RuntimeError):
    pass


class SiteAdmin:
    def __init__(
        self, site_urls: dict[str, str], token: str | None, timeout_s: float = 5.0, unreachable_hint: str = ""
    ):
        self.site_urls, self._token, self.timeout_s = dict(site_urls), token, timeout_s
        self.unreachable_hint = unreachable_hint  # e.g. "is the lab up? `make up`"

    def url(self, app: str) -> str:
        if app not in self.site_urls:
            raise SiteError(f"unknown site {app!r}; sites: {', '.join(self.site_urls)}")
        return self.site_urls[app]

    def state(self, app: str) -> dict:
        """The site's simulation: {paused, speed, users, ...}."""
        return self._call("GET", app, "/admin/simulation").json()

    def update(self, app: str, **changes) -> dict:
        """PUT the changes (paused, speed, users); the new state."""
        return self._call("PUT", app, "/admin/simulation", changes).json()

    def counters(self, app: str) -> dict:
        """The site's counters from /healthz: {"sink": {emitted, produced, spooled, ...}, "site": {page_views, ...}}."""
        return self._call("GET", app, "/healthz").json()["counters"]

    def _call(self, method: str, app: str, path: str, body: dict | None = None) -> requests.Response:
        url = self.url(app)
        try:
            r = requests.request(
                method,
                f"{url}{path}",
                json=body,
                timeout=self.timeout_s,
                headers={"Authorization": f"Bearer {self._token}"} if self._token else {},
            )
        except requests.RequestException as exc:
            hint = f"; {self.unreachable_hint}" if self.unreachable_hint else ""
            raise SiteError(f"{app}: site not reachable on {url} ({type(exc).__name__}{hint})") from None
        if r.status_code != 200:
            try:
                answer = r.json()
                detail = f"{answer.get('field', '')}: {answer['message']}" if answer.get("field") else answer["message"]
            except (ValueError, KeyError):
                detail = r.text.strip()
            raise SiteError(f"{app}: {method} {path} refused (HTTP {r.status_code}): {detail}")
        return r
