"""Prometheus' HTTP API: instant queries, the scrape targets and their health, the alerts firing. The host reaches it
on PROMETHEUS_PORT; the lab's containers at http://prometheus:9090 (activity_contract/metrics.py).

    Prometheus().query('up{job="namenode"}')   -> [{"metric": {...}, "value": [time, "1"]}]
    Prometheus().value('sum(up)')              -> 21.0 (None when the query gives no series)
"""

from __future__ import annotations

from typing import Any

import requests

from activity_clients import endpoints


class PrometheusError(RuntimeError):
    pass


class Prometheus:
    def __init__(self, base: str | None = None, timeout_s: float = 10):
        self.base = (base or endpoints.url("prometheus")).rstrip("/")
        self.timeout_s = timeout_s

    def _get(self, path: str, **params) -> Any:
        try:
            r = requests.get(f"{self.base}/api/v1/{path}", params=params, timeout=self.timeout_s)
        except requests.RequestException as e:
            raise PrometheusError(f"Prometheus at {self.base} does not answer: {e}") from e
        body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
        if r.status_code != 200 or body.get("status") != "success":
            raise PrometheusError(
                f"Prometheus /api/v1/{path}: HTTP {r.status_code} {body.get('error') or r.text[:200]}"
            )
        return body["data"]

    def query(self, expr: str, at: float | None = None) -> list[dict]:
        """The instant vector of a PromQL expression, now or at the Unix time `at`."""
        return self._get("query", query=expr, **({} if at is None else {"time": f"{at:.3f}"}))["result"]

    def value(self, expr: str, at: float | None = None) -> float | None:
        """The value of an expression that gives one series (the first, if more), None if none."""
        result = self.query(expr, at)
        return float(result[0]["value"][1]) if result else None

    def targets(self) -> list[dict]:
        """The active scrape targets: labels (job, instance), health ("up", "down", "unknown"), lastError."""
        return self._get("targets", state="active")["activeTargets"]

    def alerts(self) -> list[dict]:
        """The alerts pending or firing now: labels (alertname, ...), annotations, state, activeAt."""
        return self._get("alerts")["alerts"]

    def firing(self) -> list[dict]:
        return [a for a in self.alerts() if a["state"] == "firing"]
