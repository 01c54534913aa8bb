"""The topology's settings: Storm config keys `lab.*` (rendered from .env into the Flux file at submit)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from activity_contract import names


@dataclass(frozen=True)
class Settings:
    kafka_bootstrap: str = "kafka:29092"
    consumer_group: str = names.SPEED_CONSUMER_GROUP
    hbase_host: str = "hbase-thrift"
    hbase_port: int = 9090
    batch_ms: int = 50  # micro-batch period of the HBase-writing bolts
    max_pending: int = 2000  # spout: tuples in flight before it stops polling
    commit_interval_ms: int = 1000  # spout: how often acked offsets are committed
    active_refresh_ms: int = 2000  # user bolt: how often active_5m/active_30m are recomputed
    alert_error_rate: float = 0.2  # share of 5xx page views over the window
    alert_p95_ms: float = 2500.0  # p95 of page-view latency over the window
    alert_min_requests: int = 30  # fewer page views in the window: no rate/p95 verdict
    alert_zscore: float = 3.0  # 5xx count in the window against the previous minutes' baseline
    alert_spike_min_errors: int = 10
    alert_baseline_minutes: int = 10
    alert_window_s: int = 60
    alert_cooldown_s: int = 60  # one alert per site and type per cooldown

    @classmethod
    def from_storm_conf(cls, conf: dict) -> Settings:
        """`lab.kafka_bootstrap` etc.; missing or empty keys keep their defaults, wrong types fail loudly."""
        values = {}
        for f in fields(cls):
            raw = conf.get(f"lab.{f.name}")
            if raw is None or raw == "":
                continue
            kind = type(getattr(cls, f.name))
            try:
                values[f.name] = kind(raw)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"topology setting lab.{f.name}={raw!r} is not a {kind.__name__}") from exc
        return cls(**values)
