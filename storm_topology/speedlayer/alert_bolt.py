"""AlertBolt: per site (fields grouping on app_id) a sliding window of page views; every second it writes the
site's health (requests, error rate, p95 latency over the window) to active_users and raises alerts
(alerts.py) into `activity:alerts` and the `activity-alerts` topic."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from activity_contract import names
from activity_contract.events import format_event_time

from .alerts import Cooldown, SiteWindow, evaluate
from .microbatch import MicroBatchBolt
from .storm_io import HBase, producer, send_json

EVAL_EVERY_MS = 1000


class AlertBolt(MicroBatchBolt):
    """Input stream `sites`: (app_id, sample)."""

    def setup(self):
        self.hbase = HBase(self.settings.hbase_host, self.settings.hbase_port)
        self.producer = producer(self.settings.kafka_bootstrap)
        self.windows: dict[str, SiteWindow] = {}
        self.cooldown = Cooldown(self.settings.alert_cooldown_s)
        self.next_eval_ms = 0

    def flush(self, tups):
        for t in tups:
            app_id, sample = t.values
            self.windows.setdefault(app_id, SiteWindow(self.settings.alert_window_s)).add(sample)

    def periodic(self, now_ms):
        if now_ms < self.next_eval_ms:
            return
        self.next_eval_ms = now_ms + EVAL_EVERY_MS
        sites = self.hbase.table(names.T_ACTIVE_USERS)
        stamp = _time(now_ms)
        for app_id, window in self.windows.items():
            window.trim(now_ms)
            health = window.health()
            sites.put(
                app_id.encode(),
                {
                    names.C_REQUESTS_1M: str(health["requests"]).encode(),
                    names.C_ERROR_RATE_1M: f"{health['error_rate']:.4f}".encode(),
                    names.C_P95_LATENCY_1M: f"{health['p95_latency_ms']:.1f}".encode(),
                    names.C_HEALTH_AT: stamp.encode(),
                },
            )
            # The baseline (ten rows of minute_stats) only matters to the error-spike check, which needs at least
            # ALERT_SPIKE_MIN_ERRORS errors in the window: read only then, not three times a second.
            spiking = health["all_errors"] >= self.settings.alert_spike_min_errors
            baseline = self._baseline(app_id, now_ms) if spiking else []
            for alert in evaluate(app_id, health, baseline, self.settings, now_ms):
                if self.cooldown.allow(alert):
                    self._raise(alert)

    def _baseline(self, app_id, now_ms):
        """5xx per minute over the previous complete minutes (minute_stats), oldest first; missing minutes
        count as 0 once the site has any row in the range (a quiet minute is a real zero)."""
        table = self.hbase.table(names.T_MINUTE_STATS)
        current = datetime.fromtimestamp(now_ms / 1000, tz=UTC).replace(second=0, microsecond=0)
        minutes = [current - timedelta(minutes=m) for m in range(self.settings.alert_baseline_minutes, 0, -1)]
        rows = dict(table.rows([names.minute_row(app_id, m) for m in minutes], columns=[names.C_ERRORS]))
        if not rows:
            return []
        first = min(rows)
        return [
            float(names.decode_counter(rows.get(names.minute_row(app_id, m), {}).get(names.C_ERRORS)))
            for m in minutes
            if names.minute_row(app_id, m) >= first
        ]

    def _raise(self, alert):
        record = {"alert_id": str(uuid.uuid4()), **alert.as_dict(), "time": _time(alert.time_ms)}
        # The row first: whoever reads the topic message can find the row it announces.
        self.hbase.table(names.T_ALERTS).put(
            names.alert_row(alert.app_id, alert.time_ms),
            {
                names.C_ALERT_TYPE: alert.type.encode(),
                names.C_ALERT_METRIC: alert.metric.encode(),
                names.C_ALERT_VALUE: str(alert.value).encode(),
                names.C_ALERT_THRESHOLD: str(alert.threshold).encode(),
                names.C_ALERT_MESSAGE: alert.message.encode(),
                names.C_ALERT_TIME: record["time"].encode(),
                names.C_ALERT_APP: alert.app_id.encode(),
            },
        )
        send_json(self.producer, names.TOPIC_ALERTS, record, key=alert.app_id)
        self.logger.warning("alert: %s", alert.message)

    def on_error(self):
        self.hbase.reset()


def _time(ms: int) -> str:
    return format_event_time(datetime.fromtimestamp(ms / 1000, tz=UTC))
