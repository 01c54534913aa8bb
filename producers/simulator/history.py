"""Historical activity for `lab backfill`'s sample files, made by the sites themselves.

Each simulated user browses the real site application in-process (Flask's test client: no network,
no waits) following the same Markov model as the live simulation; every event is the one the site
built (page views) or accepted on /collect (client events), with its section, status and referrer.
A simulated clock replaces real time: sessions start at seeded moments within the window and dwell
times advance the clock, so the same seed gives the same events, ids included.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from activity_contract.events import format_event_time, validate_event
from producers.identity import H_SESSION
from producers.settings import Settings
from producers.simulator.model import Context, run_session
from producers.simulator.sites import site_model
from producers.simulator.users import make_user
from producers.sinks import MemorySink
from producers.site import create_app


class ClockedBrowser:
    """model.Browser over the site's test client; stamps what the site emitted with the simulated clock."""

    def __init__(self, client, sink: MemorySink, user, rng: random.Random, clock: datetime, error_rate: float):
        self.client, self.sink, self.user, self.rng, self.clock = client, sink, user, rng, clock
        self.error_rate, self.session_id, self.events = error_rate, "", list[dict]()
        self.page: dict | None = None
        self.headers = user.headers()

    def new_session(self) -> None:
        self.session_id = uuid.UUID(int=self.rng.getrandbits(128), version=4).hex
        self.page = None

    def _collect(self, latency_ms: float) -> None:
        """Takes the events the site just emitted, giving each the clock's time, a seeded id and the latency."""
        for event in self.sink.events:
            self.clock += timedelta(milliseconds=self.rng.randint(1, 40))
            event.update(
                event_time=format_event_time(self.clock),
                latency_ms=latency_ms,
                event_id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            )
            self.events.append(event)
        self.sink.events.clear()

    def visit(self, path: str, referrer: str | None, form: dict[str, str] | None = None) -> int:
        headers = dict(self.headers, **{H_SESSION: self.session_id})
        if referrer:
            # Same host as the test client's requests: the site records its own pages as paths.
            headers["Referer"] = f"http://localhost{referrer}" if referrer.startswith("/") else referrer
        if self.rng.random() < self.error_rate:
            headers["X-Lab-Fault"] = "error"
        response = (
            self.client.get(path, headers=headers)
            if form is None
            else self.client.post(path, data=form, headers=headers)
        )
        latency = round(self.rng.lognormvariate(4.0, 0.6) * (8 if response.status_code >= 500 else 1), 3)
        self._collect(latency)
        self.page = self.events[-1] if self.events and self.events[-1]["event_type"] == "page_view" else None
        return response.status_code

    def emit(self, event_type: str, target: str | None) -> None:
        if self.page is None:
            return
        event = dict(
            self.page,
            event_type=event_type,
            target=target,
            event_id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
        )
        response = self.client.post("/collect", json=event, headers={H_SESSION: self.session_id})
        assert response.status_code == 202, response.get_data(as_text=True)  # the site's own event shape
        self._collect(self.page["latency_ms"])

    def dwell(self, sim_seconds: float) -> None:
        self.clock += timedelta(seconds=sim_seconds)


def generate_events(
    app_id: str,
    start: datetime,
    days: int = 3,
    users: int = 10,
    sessions_per_day: float = 2.0,
    seed: int = 1,
    error_rate: float = 0.01,
) -> list[dict]:
    """Schema v1 events of `users` users of one site over `days` days from `start` (UTC), ordered by time."""
    start = start.astimezone(UTC)
    rng, model, events = random.Random(f"history:{app_id}:{seed}"), site_model(app_id), []
    with tempfile.TemporaryDirectory(prefix="lab-history-") as tmp:
        settings = Settings(
            app_id=app_id,
            log_dir=Path(tmp, "log"),
            spool_dir=Path(tmp, "spool"),
            state_dir=Path(tmp, "state"),
            error_rate=0.0,
            slow_rate=0.0,
            latency_scale=0.0,
            fault_seed=seed,
            sim_enabled=False,
        )
        sink = MemorySink()
        client = create_app(app_id, sink, settings).test_client()
        window_s = days * 86400
        for index in range(1, users + 1):
            user = make_user(app_id, index)
            sessions = max(1, round(days * sessions_per_day * rng.uniform(0.5, 1.5)))
            for offset in sorted(rng.uniform(0, window_s - 3600) for _ in range(sessions)):
                clock = start + timedelta(seconds=round(offset, 3))
                browser = ClockedBrowser(client, sink, user, rng, clock, error_rate)
                browser.new_session()
                run_session(model, rng, browser, Context())
                events.extend(browser.events)
    events.sort(key=lambda e: (e["event_time"], e["user_id"]))
    bad = [(e, errors) for e in events if (errors := validate_event(e))]
    assert not bad, f"generated events fail the schema: {bad[:2]}"
    return events
