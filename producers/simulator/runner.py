"""The simulator process: one thread per simulated user browsing the site over real HTTP.

Runs beside gunicorn (see producers/serve.py), never inside a gunicorn worker, so the number of
users does not multiply with workers. Control (paused, speed, users) comes from the shared
control file the site's PUT /admin/simulation writes; a poller re-reads it every CONTROL_POLL_S,
and users check it at least every SLICE_S, so a pause stops new requests within about a second.

Simulated time: a page's dwell time (simulated seconds) takes dwell / (SIM_TIME_COMPRESSION * speed)
real seconds, at most SIM_MAX_DWELL_S / speed. Between two sessions a user is away for
SIM_AWAY_MIN_S..SIM_AWAY_MAX_S / speed real seconds, standing for a simulated absence of 30 minutes
or more; so every user is active every minute, and session_id (not the event-time gap) marks sessions.
A pause longer than SESSION_IDLE_S also starts a new session, as in real life.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import requests

from activity_contract.events import build_event
from producers.control import SimulationControl
from producers.identity import H_SESSION
from producers.settings import Settings
from producers.simulator.model import Context, SiteModel, run_session
from producers.simulator.sites import site_model
from producers.simulator.users import SimUser, make_user

log = logging.getLogger("producers.simulator")
SLICE_S = 0.25
CONTROL_POLL_S = 0.5
STATUS_EVERY_S = 2.0


class SessionInterrupted(Exception):
    """The current session cannot go on: stop requested, or idle past SESSION_IDLE_S while paused."""


class Stopping(SessionInterrupted):
    pass


class ControlView:
    """The latest control state, shared read-only by the user threads."""

    def __init__(self, control: SimulationControl):
        self.control = control
        self.state = control.read()

    def refresh(self) -> None:
        self.state = self.control.read()

    def active(self, index: int) -> bool:
        state = self.state
        return not state["paused"] and index <= state["users"]

    @property
    def speed(self) -> float:
        return float(self.state["speed"])


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.values: dict[str, int] = {}

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.values[name] = self.values.get(name, 0) + n

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.values)


@dataclass
class PageState:
    path: str
    section: str
    status: int
    latency_ms: float
    referrer: str | None


class HttpBrowser:
    """model.Browser over HTTP for one user: pages with GET (a form with POST), client events with POST /collect."""

    def __init__(self, user: SimUser, settings: Settings, view: ControlView, stats: Stats, stop: threading.Event):
        self.user, self.settings, self.view, self.stats, self.stop = user, settings, view, stats, stop
        self.base_url = settings.base_url
        self.http = requests.Session()
        self.http.headers.update(user.headers())
        self.session_id = ""
        self.page: PageState | None = None
        self.last_activity: float | None = None

    def new_session(self) -> None:
        self.session_id = uuid.uuid4().hex
        self.page = None
        self.stats.add("sessions_started")

    # --- model.Browser

    def visit(self, path: str, referrer: str | None, form: dict[str, str] | None = None) -> int | None:
        self._gate()
        headers = {H_SESSION: self.session_id}
        if referrer:
            headers["Referer"] = self.base_url + referrer if referrer.startswith("/") else referrer
        method = "GET" if form is None else "POST"
        try:
            response = self.http.request(
                method, self.base_url + path, data=form, headers=headers, timeout=(3, 15), allow_redirects=False
            )
        except requests.RequestException as exc:
            self.stats.add("connection_errors")
            log.warning("%s: %s %s failed: %s", self.user.user_id, method, path, exc)
            self._sleep_real(2.0)
            return None
        self.last_activity = time.monotonic()
        self.stats.add("page_requests")
        self.stats.add(f"page_status_{response.status_code // 100}xx")
        self.page = PageState(
            path=path.split("?", 1)[0],
            section=response.headers.get("X-Lab-Section", "unknown"),
            status=response.status_code,
            latency_ms=_server_timing(response),
            referrer=referrer,
        )
        return response.status_code

    def emit(self, event_type: str, target: str | None) -> None:
        if self.page is None:
            return
        self._gate()
        u, p = self.user, self.page
        event = build_event(
            event_type=event_type,
            app_id=u.app_id,
            user_id=u.user_id,
            session_id=self.session_id,
            page=p.path,
            section=p.section,
            referrer=p.referrer,
            target=target,
            http_status=p.status,
            latency_ms=p.latency_ms,
            country=u.country,
            city=u.city,
            device_type=u.device_type,
            os=u.os,
            browser=u.browser,
            user_agent=u.user_agent,
        )
        try:
            response = self.http.post(
                self.base_url + "/collect", json=event, headers={H_SESSION: self.session_id}, timeout=(3, 10)
            )
        except requests.RequestException as exc:
            self.stats.add("connection_errors")
            log.warning("%s: POST /collect failed: %s", u.user_id, exc)
            return
        self.last_activity = time.monotonic()
        if response.status_code == 202:
            self.stats.add("events_sent")
        else:
            self.stats.add("collect_errors")
            log.warning("%s: /collect answered %s: %s", u.user_id, response.status_code, response.text[:300])

    def dwell(self, sim_seconds: float) -> None:
        s = self.settings
        self._wait(min(max(sim_seconds, 0.0) / s.sim_time_compression, s.sim_max_dwell_s))

    # --- time and control

    def away(self, rng: random.Random) -> None:
        self._wait(rng.uniform(self.settings.sim_away_min_s, self.settings.sim_away_max_s))

    def _wait(self, units: float) -> None:
        """Wait `units` seconds at speed 1: faster at higher speed, frozen while paused or inactive."""
        while units > 0:
            if self.stop.is_set():
                raise Stopping()
            if not self.view.active(self.user.index):
                self.stop.wait(SLICE_S)
                continue
            speed = self.view.speed
            step = min(SLICE_S, units / speed)
            self.stop.wait(step)
            units -= step * speed

    def _gate(self) -> None:
        """Before any request: hold while paused or inactive; a long hold ends the session."""
        while not self.view.active(self.user.index):
            if self.stop.is_set():
                raise Stopping()
            self.stop.wait(SLICE_S)
        if self.stop.is_set():
            raise Stopping()
        if self.last_activity is not None and time.monotonic() - self.last_activity >= self.settings.session_idle_s:
            self.last_activity = None
            raise SessionInterrupted("idle too long")

    def _sleep_real(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise Stopping()


def _server_timing(response: requests.Response) -> float:
    # "app;dur=12.345" set by the site; the client-side events of a page carry the page's latency.
    for part in response.headers.get("Server-Timing", "").split(";"):
        if part.strip().startswith("dur="):
            try:
                return max(0.0, float(part.strip()[4:]))
            except ValueError:
                break
    return round(response.elapsed.total_seconds() * 1000, 3)


class Simulator:
    def __init__(self, settings: Settings, seed: int | None = None, model: SiteModel | None = None):
        self.settings = settings
        self.model = model or site_model(settings.app_id)
        self.seed = (
            seed
            if seed is not None
            else (settings.sim_seed if settings.sim_seed is not None else random.SystemRandom().randrange(2**31))
        )
        self.control = SimulationControl(
            settings.app_state_dir(),
            {"paused": settings.sim_paused, "speed": settings.sim_speed, "users": settings.sim_users},
        )
        self.view = ControlView(self.control)
        self.stats = Stats()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.started = time.time()

    def user_rng(self, index: int) -> random.Random:
        return random.Random(f"{self.seed}:{self.settings.app_id}:{index}")

    def run(self) -> None:
        log.info(
            "simulating %s users of %s at %s (seed %s)",
            self.view.state["users"],
            self.settings.app_id,
            self.settings.base_url,
            self.seed,
        )
        last_status = 0.0
        while not self.stop.is_set():
            self.view.refresh()
            wanted = min(int(self.view.state["users"]), self.settings.sim_max_users)
            while len(self.threads) < wanted:
                self._start_user(len(self.threads) + 1)
            if time.monotonic() - last_status >= STATUS_EVERY_S:
                last_status = time.monotonic()
                self._write_status()
            self.stop.wait(CONTROL_POLL_S)
        for thread in self.threads:
            thread.join(timeout=20)
        self._write_status()

    def _start_user(self, index: int) -> None:
        thread = threading.Thread(target=self._user_loop, args=(index,), name=f"user-{index:02d}", daemon=True)
        self.threads.append(thread)
        thread.start()

    def _user_loop(self, index: int) -> None:
        user = make_user(self.settings.app_id, index)
        rng = self.user_rng(index)
        browser = HttpBrowser(user, self.settings, self.view, self.stats, self.stop)
        try:
            browser._wait(rng.uniform(0, 3))  # stagger the first requests (scaled by speed, held while paused)
            while not self.stop.is_set():
                browser.new_session()
                try:
                    run_session(self.model, rng, browser, Context())
                except Stopping:
                    return
                except SessionInterrupted:
                    continue
                except Exception:
                    log.exception("%s: session failed", user.user_id)
                    self.stats.add("session_failures")
                    browser._sleep_real(5)
                    continue
                browser.away(rng)
        except Stopping:
            return

    def _write_status(self) -> None:
        status: dict[str, Any] = {
            "pid": os.getpid(),
            "seed": self.seed,
            "started_at": self.started,
            "heartbeat": time.time(),
            "threads": len(self.threads),
            "control": self.view.state,
            "counters": self.stats.snapshot(),
        }
        try:
            self.control.write_status(status)
        except OSError as exc:
            log.warning("cannot write simulator status: %s", exc)
