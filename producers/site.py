"""Flask app factory of a lab site: the catalog's pages plus the shared ones (search, login, logout,
account), the JSON endpoints (producers.api) and per-request recording (producers.page_views)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from flask import Flask, g, make_response, render_template, request

from producers.accounts import PLANS, ProfileStore, ProfilesUnavailable, parse_change
from producers.api import COLLECT_MAX_BYTES, register_api
from producers.catalog import get_site, search
from producers.control import SimulationControl
from producers.identity import COOKIE_SESSION, Identity
from producers.logs import SiteLogs
from producers.page_views import register_hooks
from producers.settings import Settings
from producers.sinks import EventSink

CATALOG_DIR = Path(__file__).parent / "catalog"


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


class _SiteFlask(Flask):
    def log_exception(self, exc_info) -> None:
        pass  # the 500 handler writes the traceback to error.log


def create_app(app_id: str, sink: EventSink, settings: Settings, logs: SiteLogs | None = None) -> Flask:
    settings = settings if settings.app_id == app_id else settings.replace(app_id=app_id)
    logs = logs or SiteLogs(settings.app_log_dir(), app_id, settings.log_max_bytes)
    state = SiteState(app_id, sink, settings, logs)
    app = _SiteFlask(
        __name__, template_folder=str(CATALOG_DIR / "templates"), static_folder=str(CATALOG_DIR / "static")
    )
    app.config.update(MAX_CONTENT_LENGTH=COLLECT_MAX_BYTES, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False)
    app.extensions["activitylab"] = state
    state.site.register(app)
    _register_common_pages(app, state)
    register_api(app, state)
    register_hooks(app, state)
    return app


# ---------------------------------------------------------------------------------------------- pages


def _register_common_pages(app: Flask, state: SiteState) -> None:
    @app.get("/search", endpoint="search")
    def search_page():
        query = request.args.get("q", "").strip()[:200]
        return render_template("search.html", query=query, results=search(state.site.searchable(), query))

    @app.get("/login", endpoint="login")
    def login():
        return render_template("message.html", heading="Log in", text="Welcome back.", form="login")

    @app.get("/logout", endpoint="logout")
    def logout():
        response = make_response(render_template("message.html", heading="Signed out", text="See you soon."))
        response.delete_cookie(COOKIE_SESSION)  # a logout ends the session
        g.session_ended = True
        return response

    @app.route("/account", methods=["GET", "POST"], endpoint="account")
    def account():
        """The signed-in user's profile (MariaDB user_profiles); the form changes the plan and the opt-in."""
        identity: Identity | None = g.get("identity")
        user_id = identity.user_id if identity else ""
        if not user_id or user_id.startswith("anon-"):
            return render_template(
                "message.html", heading="Your account", text="Log in to see your account.", form="login"
            ), (401 if request.method == "POST" else 200)
        if not state.profiles.configured:  # a site without the profile database: the page, no profile
            return render_template("message.html", heading="Your account", text=f"Signed in as {user_id}.")
        notice, status = None, 200
        try:
            if request.method == "POST":
                change, problem = parse_change(request.form)
                if problem:
                    state.count("account_rejects")
                    notice, status = f"Not saved: {problem}.", 400
                else:
                    saved = state.profiles.update(user_id, **change)
                    if saved is not None:
                        state.count("account_changes" if saved else "account_saves_unchanged")
                        notice = "Saved." if saved else "Nothing to change."
            profile = state.profiles.get(user_id)
        except ProfilesUnavailable as e:
            state.count("account_db_errors")
            state.logs.error(f"{request.method} /account for {user_id}: {e}")
            return render_template(
                "message.html",
                heading="Your account",
                text="Your profile cannot be shown right now; please try again later.",
            ), 503
        if profile is None:
            return render_template(
                "message.html", heading="Your account", text=f"Signed in as {user_id}; there is no profile on record."
            ), (404 if request.method == "POST" else 200)
        return render_template("account.html", profile=profile, plans=PLANS, notice=notice), status

    @app.context_processor
    def layout_context():
        identity: Identity | None = g.get("identity")
        return {
            "site": state.site,
            "lab_section": g.get("section", "unknown"),
            "lab_user": identity.user_id if identity else None,
        }
