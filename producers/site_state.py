"""What a site's request handlers share: its settings, event sink, logs, catalog, simulation control, profile
store and counters (one per site process; producers/site.py builds it, api.py and page_views.py use it)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from typing import Any

from producers.accounts import ProfileStore
from producers.catalog import get_site
from producers.control import SimulationControl
from producers.logs import SiteLogs
from producers.metrics import SiteMetrics
from producers.settings import Settings
from producers.sinks import EventSink


class SiteState:
    def __init__(self, app_id: str, sink: EventSink, settings: Settings, logs: SiteLogs):
        self.app_id = app_id
        self.sink = sink
        self.settings = settings
        self.logs = logs
        self.site = get_site(app_id)
        self.control = SimulationControl(
            settings.app_state_dir(),
            {"paused": settings.sim_paused, "speed": settings.sim_speed, "users": settings.sim_users},
        )
        self.rng = random.Random(settings.fault_seed)
        self.profiles = ProfileStore(
            settings.profiles_db_host,
            settings.profiles_db_port,
            settings.profiles_db_user,
            settings.profiles_db_password,
        )
        self.started = time.time()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self.metrics = SiteMetrics(app_id, self.counters)

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def counters(self) -> dict[str, Any]:
        with self._lock:
            site = dict(self._counts)
        site.setdefault("page_views", 0)
        site.setdefault("collect_accepted", 0)
        site.setdefault("collect_rejects", 0)
        return {
            "app_id": self.app_id,
            "uptime_s": round(time.time() - self.started, 1),
            "site": dict(sorted(site.items())),
            "sink": self.sink.counters(),
        }
