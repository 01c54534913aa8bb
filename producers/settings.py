"""Every setting of the sites and the simulator, read from environment variables in one place.

`Settings.from_env()` is the only reader of os.environ in the producers package; a bad value
fails at start with the variable's name rather than later in a request.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from activity_contract import names


@dataclass(frozen=True)
class Settings:
    app_id: str = names.SHOP
    port: int = 0  # 0 = the app's contract port (names.SITE_PORTS)
    threads: int = 8
    kafka_bootstrap: str = "localhost:9092"
    kafka_topic: str = names.TOPIC_EVENTS
    kafka_dlq_topic: str = names.TOPIC_DLQ
    admin_token: str = ""
    log_dir: Path = Path("var/log")
    spool_dir: Path = Path("var/spool")
    state_dir: Path = Path("var/state")
    spool_max_bytes: int = 64 * 1024 * 1024
    log_max_bytes: int = 32 * 1024 * 1024  # rotate each log at this size; 0: never
    sink_queue_size: int = 10_000
    sink_delivery_timeout_ms: int = 10_000
    error_rate: float = 0.01
    slow_rate: float = 0.02
    slow_ms: int = 1500
    latency_scale: float = 1.0
    fault_seed: int | None = None
    session_idle_s: float = 1800.0
    profiles_db_host: str = ""  # MariaDB of the account pages; "": the account page says it is not configured
    profiles_db_port: int = 3306
    profiles_db_user: str = "site"
    profiles_db_password: str = ""
    sim_enabled: bool = True
    sim_base_url: str = ""  # "" = http://127.0.0.1:{port}
    sim_users: int = 10
    sim_max_users: int = 50
    sim_speed: float = 1.0
    sim_paused: bool = False
    sim_seed: int | None = None
    sim_time_compression: float = 8.0
    sim_max_dwell_s: float = 30.0
    sim_away_min_s: float = 3.0
    sim_away_max_s: float = 15.0

    def __post_init__(self) -> None:
        if self.app_id not in names.APPS:
            raise ValueError(f"SITE_APP_ID must be one of {', '.join(names.APPS)}, not {self.app_id!r}")
        for name in ("error_rate", "slow_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"SITE_{name.upper()} must be between 0 and 1")
        if not 0.1 <= self.sim_speed <= 20:
            raise ValueError("SIM_SPEED must be between 0.1 and 20")
        if not 0 <= self.sim_users <= self.sim_max_users:
            raise ValueError("SIM_USERS must be between 0 and SIM_MAX_USERS")
        if self.sim_away_min_s > self.sim_away_max_s:
            raise ValueError("SIM_AWAY_MIN_S must not exceed SIM_AWAY_MAX_S")
        if self.spool_max_bytes < 4096:
            raise ValueError("SPOOL_MAX_BYTES must be at least 4096")
        if self.log_max_bytes and self.log_max_bytes < 4096:
            raise ValueError("SITE_LOG_MAX_BYTES must be 0 (never rotate) or at least 4096")

    @property
    def site_port(self) -> int:
        return self.port or names.SITE_PORTS[self.app_id]

    @property
    def base_url(self) -> str:
        return self.sim_base_url.rstrip("/") or f"http://127.0.0.1:{self.site_port}"

    def app_log_dir(self) -> Path:
        return Path(self.log_dir) / self.app_id

    def app_spool_dir(self) -> Path:
        return Path(self.spool_dir) / self.app_id

    def app_state_dir(self) -> Path:
        return Path(self.state_dir) / self.app_id

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, app_id: str | None = None) -> Settings:
        env = os.environ if env is None else env
        r = _Reader(env)
        return cls(
            app_id=app_id or r.text("SITE_APP_ID", names.SHOP),
            port=r.integer("SITE_PORT", 0),
            threads=r.integer("SITE_THREADS", 8),
            kafka_bootstrap=r.text("KAFKA_BOOTSTRAP", "localhost:9092"),
            kafka_topic=r.text("KAFKA_TOPIC", names.TOPIC_EVENTS),
            kafka_dlq_topic=r.text("KAFKA_DLQ_TOPIC", names.TOPIC_DLQ),
            admin_token=r.text("LAB_ADMIN_TOKEN", ""),
            log_dir=Path(r.text("LOG_DIR", "var/log")),
            spool_dir=Path(r.text("SPOOL_DIR", "var/spool")),
            state_dir=Path(r.text("STATE_DIR", "var/state")),
            spool_max_bytes=r.integer("SPOOL_MAX_BYTES", 64 * 1024 * 1024),
            log_max_bytes=r.integer("SITE_LOG_MAX_BYTES", 32 * 1024 * 1024),
            sink_queue_size=r.integer("SINK_QUEUE_SIZE", 10_000),
            sink_delivery_timeout_ms=r.integer("SINK_DELIVERY_TIMEOUT_MS", 10_000),
            error_rate=r.number("SITE_ERROR_RATE", 0.01),
            slow_rate=r.number("SITE_SLOW_RATE", 0.02),
            slow_ms=r.integer("SITE_SLOW_MS", 1500),
            latency_scale=r.number("SITE_LATENCY_SCALE", 1.0),
            fault_seed=r.optional_integer("SITE_FAULT_SEED"),
            session_idle_s=r.number("SESSION_IDLE_S", 1800.0),
            profiles_db_host=r.text("PROFILES_DB_HOST", ""),
            profiles_db_port=r.integer("PROFILES_DB_PORT", 3306),
            profiles_db_user=r.text("PROFILES_DB_USER", "site"),
            profiles_db_password=r.text("PROFILES_DB_PASSWORD", ""),
            sim_enabled=r.flag("SIM_ENABLED", True),
            sim_base_url=r.text("SIM_BASE_URL", ""),
            sim_users=r.integer("SIM_USERS", 10),
            sim_max_users=r.integer("SIM_MAX_USERS", 50),
            sim_speed=r.number("SIM_SPEED", 1.0),
            sim_paused=r.flag("SIM_PAUSED", False),
            sim_seed=r.optional_integer("SIM_SEED"),
            sim_time_compression=r.number("SIM_TIME_COMPRESSION", 8.0),
            sim_max_dwell_s=r.number("SIM_MAX_DWELL_S", 30.0),
            sim_away_min_s=r.number("SIM_AWAY_MIN_S", 3.0),
            sim_away_max_s=r.number("SIM_AWAY_MAX_S", 15.0),
        )


class _Reader:
    def __init__(self, env: Mapping[str, str]):
        self.env = env

    def _raw(self, name: str) -> str | None:
        value = self.env.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def text(self, name: str, default: str) -> str:
        value = self._raw(name)
        return default if value is None else value

    def integer(self, name: str, default: int) -> int:
        value = self.optional_integer(name)
        return default if value is None else value

    def optional_integer(self, name: str) -> int | None:
        value = self._raw(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{name} must be an integer, not {value!r}") from None

    def number(self, name: str, default: float) -> float:
        value = self._raw(name)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"{name} must be a number, not {value!r}") from None

    def flag(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name} must be true or false, not {value!r}")
