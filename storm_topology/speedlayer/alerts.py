"""Alert rules per site over a sliding window of recent events (pure; the alert bolt feeds and persists).

- error_rate: share of page views answered 5xx over the window, at least `alert_min_requests` page views;
- p95_latency: 95th percentile of page-view latency over the window, same minimum;
- error_spike: the window's 5xx count against the previous minutes' counts (from minute_stats), as a
  z-score with a Poisson floor on the deviation (sqrt(mean), at least 1), and at least
  `alert_spike_min_errors` errors, so a quiet baseline does not turn two errors into a spike.
One alert per site and type per cooldown.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import dataclass, replace

from .settings import Settings


@dataclass(frozen=True)
class Alert:
    app_id: str
    type: str
    metric: str
    value: float
    threshold: float
    message: str
    time_ms: int

    def as_dict(self) -> dict:
        return {
            "app_id": self.app_id,
            "type": self.type,
            "metric": self.metric,
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
            "time_ms": self.time_ms,
        }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def zscore(current: float, baseline: list[float]) -> float:
    mean = statistics.fmean(baseline) if baseline else 0.0
    sd = statistics.pstdev(baseline) if len(baseline) > 1 else 0.0
    return (current - mean) / max(sd, math.sqrt(mean), 1.0)


class SiteWindow:
    """The last `window_s` seconds of one site's events (by event time), deduplicated by event id."""

    def __init__(self, window_s: int):
        self.window_ms = window_s * 1000
        self._events: deque[dict] = deque()
        self._ids: set[str] = set()

    def add(self, sample: dict) -> None:
        if sample["event_id"] in self._ids:
            return
        self._ids.add(sample["event_id"])
        self._events.append(sample)

    def trim(self, now_ms: int) -> None:
        cutoff = now_ms - self.window_ms
        keep = [e for e in self._events if e["time_ms"] >= cutoff]
        if len(keep) != len(self._events):
            self._events = deque(keep)
            self._ids = {e["event_id"] for e in keep}

    def health(self) -> dict:
        views = [e for e in self._events if e["page_view"]]
        errors = sum(1 for e in views if e["status"] >= 500)
        return {
            "requests": len(views),
            "errors": errors,
            "error_rate": errors / len(views) if views else 0.0,
            "p95_latency_ms": percentile([e["latency_ms"] for e in views], 95) if views else 0.0,
            "all_errors": sum(1 for e in self._events if e["status"] >= 500),
        }


def evaluate(app_id: str, health: dict, baseline_errors: list[float], s: Settings, now_ms: int) -> list[Alert]:
    """The alerts this window's health raises (before cooldown)."""
    out = []
    w = s.alert_window_s
    if health["requests"] >= s.alert_min_requests:
        if health["error_rate"] >= s.alert_error_rate:
            out.append(
                Alert(
                    app_id,
                    "error_rate",
                    "error_rate",
                    round(health["error_rate"], 4),
                    s.alert_error_rate,
                    f"{app_id}: {health['error_rate']:.0%} of {health['requests']} page views answered 5xx "
                    f"in the last {w} s (threshold {s.alert_error_rate:.0%})",
                    now_ms,
                )
            )
        if health["p95_latency_ms"] >= s.alert_p95_ms:
            out.append(
                Alert(
                    app_id,
                    "p95_latency",
                    "p95_latency_ms",
                    round(health["p95_latency_ms"], 1),
                    s.alert_p95_ms,
                    f"{app_id}: p95 latency {health['p95_latency_ms']:.0f} ms over {health['requests']} page "
                    f"views in the last {w} s (threshold {s.alert_p95_ms:.0f} ms)",
                    now_ms,
                )
            )
    if (
        len(baseline_errors) >= max(3, s.alert_baseline_minutes // 2)
        and health["all_errors"] >= s.alert_spike_min_errors
    ):
        z = zscore(health["all_errors"], baseline_errors)
        if z >= s.alert_zscore:
            mean = statistics.fmean(baseline_errors)
            out.append(
                Alert(
                    app_id,
                    "error_spike",
                    "errors_zscore",
                    round(z, 2),
                    s.alert_zscore,
                    f"{app_id}: {health['all_errors']} errors in the last {w} s against {mean:.1f} per "
                    f"minute over the previous {len(baseline_errors)} minutes (z = {z:.1f}, "
                    f"threshold {s.alert_zscore})",
                    now_ms,
                )
            )
    # One millisecond apart: each alert gets its own `{app_id}#{reverse timestamp}` row.
    return [replace(a, time_ms=now_ms + i) for i, a in enumerate(out)]


class Cooldown:
    def __init__(self, seconds: int):
        self.ms = seconds * 1000
        self._last: dict[tuple[str, str], int] = {}

    def allow(self, alert: Alert) -> bool:
        key = (alert.app_id, alert.type)
        if alert.time_ms - self._last.get(key, -self.ms) < self.ms:
            return False
        self._last[key] = alert.time_ms
        return True
