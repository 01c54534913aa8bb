"""Flask app factory of a lab site: the catalog's pages plus the shared ones (search, login, logout,
account), the JSON endpoints (producers.api) and per-request recording (producers.page_views)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, make_response, render_template, request

from activity_contract.names import PLANS
from producers.accounts import ProfilesUnavailable, parse_change
from producers.api import COLLECT_MAX_BYTES, register_api
from producers.catalog import search
from producers.identity import COOKIE_SESSION, Identity
from producers.logs import SiteLogs
from producers.page_views import register_hooks
from producers.settings import Settings
from producers.sinks import EventSink
from producers.site_state import SiteState

CATALOG_DIR = Path(__file__).parent / "catalog"


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
