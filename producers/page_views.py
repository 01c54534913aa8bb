"""Per-request recording: one page_view per page request, the access and perf log lines, and the
configured faults (5xx, slow pages).

Every page request (anything but NOT_PAGES) emits exactly one page_view, whatever its status:
after_request records it, including 404s and the 500 responses Flask builds for unhandled exceptions
(PROPAGATE_EXCEPTIONS is off); teardown_request is a safety net for a request that never reached
after_request. A flag on `g` keeps it to one.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from activity_contract.events import build_event, format_event_time, validate_event
from producers.api import COLLECT_MAX_BYTES, json_error
from producers.identity import COOKIE_SESSION, COOKIE_USER, H_USER, Identity, resolve_identity, valid_id

if TYPE_CHECKING:
    from producers.site_state import SiteState

NOT_PAGES = ("/healthz", "/metrics", "/collect", "/admin/", "/static/", "/favicon.ico", "/robots.txt")
NOT_LOGGED = ("/healthz", "/metrics")  # container health probes and Prometheus' scrapes are not traffic
H_FAULT = "X-Lab-Fault"  # "error" or "slow": force a fault on this page request; "none": no random one (tests)
COMMON_SECTIONS = {"search": "search", "login": "account", "logout": "account", "account": "account"}
# Typical handling time per endpoint (ms) before SITE_LATENCY_SCALE, so latency percentiles mean something.
BASE_LATENCY_MS = {"search": 40, "checkout": 60, "checkout_complete": 80, "home": 15}
DEFAULT_LATENCY_MS = 10


class InjectedFault(RuntimeError):
    """Raised on purpose (SITE_ERROR_RATE or X-Lab-Fault: error) to produce a real 500."""


def _is_page(path: str) -> bool:
    return not any(path == p.rstrip("/") or path.startswith(p) for p in NOT_PAGES)


def register_hooks(app: Flask, state: SiteState) -> None:
    settings = state.settings

    @app.before_request
    def start():
        g.t0 = time.perf_counter()
        g.started = datetime.now(UTC)
        g.page = _is_page(request.path)
        if not g.page:
            return
        g.identity = resolve_identity(request.headers, request.cookies)
        endpoint = request.endpoint
        if endpoint in COMMON_SECTIONS:
            g.section = COMMON_SECTIONS[endpoint]
            g.target = (request.args.get("q", "").strip()[:512] or None) if endpoint == "search" else None
        elif endpoint is None:
            g.section, g.target = "unknown", None  # no such route: the 404 is still a page view
        else:
            g.section, g.target = state.site.section_and_target(endpoint, request.view_args or {}, request.args)
        if endpoint is None:
            return
        forced = request.headers.get(H_FAULT, "").strip().lower()
        chance = forced != "none"  # a test counting exact statuses must not meet SITE_ERROR_RATE's random 500s
        slow = forced == "slow" or (chance and state.rng.random() < settings.slow_rate)
        error = forced == "error" or (chance and state.rng.random() < settings.error_rate)
        base = BASE_LATENCY_MS.get(endpoint, DEFAULT_LATENCY_MS) * settings.latency_scale
        pause_ms = base * state.rng.uniform(0.5, 1.5) + (settings.slow_ms * state.rng.uniform(0.8, 1.2) if slow else 0)
        if pause_ms > 0:
            time.sleep(pause_ms / 1000)
        if slow:
            g.fault = "slow"
            state.count("faults_slow")
        if error:
            g.fault = "error"
            state.count("faults_error")
            raise InjectedFault(
                f"injected fault on {request.method} {request.path} (SITE_ERROR_RATE="
                f"{settings.error_rate}{', forced by X-Lab-Fault' if forced == 'error' else ''})"
            )

    @app.after_request
    def finish(response):
        if g.get("recorded") or "t0" not in g:
            return response
        g.recorded = True
        try:
            _record(state, response.status_code, response.calculate_content_length(), response)
        except Exception as exc:  # recording must never turn a served page into an error
            state.logs.error(f"recording request {request.path} failed", exc)
        return response

    @app.teardown_request
    def safety_net(exc):
        if g.get("recorded") or "t0" not in g:
            return
        g.recorded = True
        try:
            _record(state, 500, None, None)
        except Exception as err:
            state.logs.error(f"recording request {request.path} failed in teardown", err)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        if e.code is not None and e.code < 400:
            return e  # redirects raised by routing (trailing slash)
        if e.code == 500:
            original = getattr(e, "original_exception", None)
            state.logs.error(f"{request.method} {request.path} failed: {original!r}", original)
        if isinstance(e, RequestEntityTooLarge):
            return too_large()
        if not g.get("page"):
            return json_error(e.code or 500, {"error": (e.name or "error").lower(), "message": e.description})
        try:
            body = render_template("message.html", heading=f"{e.code} {e.name}", text=_friendly(e.code or 500))
        except Exception:
            body = f"{e.code} {e.name}"
        return body, e.code

    def too_large():
        if request.path == "/collect":
            state.count("collect_rejects")
            state.count("collect_rejects_too_large")
            state.sink.reject(f"payload too large: over {COLLECT_MAX_BYTES} bytes", "")
        return json_error(
            413,
            {
                "error": "payload too large",
                "field": "$",
                "message": f"request body is over {COLLECT_MAX_BYTES} bytes (16 KiB)",
                "limit_bytes": COLLECT_MAX_BYTES,
            },
        )


def _friendly(code: int) -> str:
    if code == 404:
        return "We couldn't find that page. It may have moved or never existed."
    if code >= 500:
        return "Something went wrong on our side. Please try again."
    return "That request could not be handled."


def _record(state: SiteState, status: int, size: int | None, response) -> None:
    """Emit the page_view (page requests only), then write the access and perf log lines."""
    latency_ms = round((time.perf_counter() - g.t0) * 1000, 3)
    identity: Identity | None = g.get("identity")
    event_id = None
    if g.get("page") and identity is not None:
        event_id = _emit_page_view(state, identity, status, latency_ms)
        if response is not None:
            response.headers["Server-Timing"] = f"app;dur={latency_ms}"
            response.headers["X-Lab-Section"] = g.get("section", "unknown")
            if event_id:
                response.headers["X-Lab-Event-Id"] = event_id
            if not identity.from_headers:
                _set_identity_cookies(state, response, identity)
    if request.path.startswith(NOT_LOGGED):
        return
    state.metrics.observe(status, latency_ms / 1000)
    uri = (
        request.environ.get("RAW_URI")
        or request.environ.get("REQUEST_URI")
        or (quote(request.path) + (f"?{request.query_string.decode('latin-1')}" if request.query_string else ""))
    )
    log_user = identity.user_id if identity else _header_or_cookie_user()
    state.logs.access_line(
        host=_client_ip(),
        user=log_user,
        time=g.started,
        method=request.method,
        uri=uri,
        protocol=request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
        status=status,
        size=size,
        referer=request.headers.get("Referer"),
        user_agent=request.headers.get("User-Agent"),
    )
    rule = request.url_rule.rule if request.url_rule is not None else None
    state.logs.perf_line(
        {
            "time": format_event_time(g.started),
            "app_id": state.app_id,
            "method": request.method,
            "route": rule,
            "path": request.path,
            "status": status,
            "latency_ms": latency_ms,
            "page_view": event_id is not None,
            "event_id": event_id,
            "fault": g.get("fault"),
        }
    )


def _emit_page_view(state: SiteState, identity: Identity, status: int, latency_ms: float) -> str | None:
    event = build_event(
        event_type="page_view",
        app_id=state.app_id,
        user_id=identity.user_id,
        session_id=identity.session_id,
        page=request.path[:2048],
        section=g.get("section", "unknown"),
        referrer=_referrer(),
        target=g.get("target"),
        http_status=status,
        latency_ms=latency_ms,
        country=identity.country,
        city=identity.city,
        device_type=identity.device_type,
        os=identity.os,
        browser=identity.browser,
        user_agent=identity.user_agent,
        event_time=g.started,
        validate=False,
    )
    errors = validate_event(event)
    if errors:  # a bug, not user input: never let it reach the topic, make it loud
        state.count("page_view_invalid")
        state.logs.error(f"page_view for {request.path} is invalid, not sent: {'; '.join(map(str, errors))}")
        return None
    state.sink.emit(event)
    state.count("page_views")
    state.count(f"page_views_{status // 100}xx")
    return event["event_id"]


def _referrer() -> str | None:
    referer = (request.headers.get("Referer") or "").strip()
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc == request.host:
        return (parts.path or "/")[:2048]  # same site: the previous path
    return referer[:2048]


def _set_identity_cookies(state: SiteState, response, identity: Identity) -> None:
    response.set_cookie(COOKIE_USER, identity.user_id, max_age=2 * 365 * 86400, httponly=True, samesite="Lax")
    if not g.get("session_ended"):
        # Refreshed on every page: the cookie expiring is the 30-minute idle rule.
        response.set_cookie(
            COOKIE_SESSION,
            identity.session_id,
            max_age=int(state.settings.session_idle_s),
            httponly=True,
            samesite="Lax",
        )


def _client_ip() -> str:
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.split(",")[0].strip() or request.remote_addr or "-"


def _header_or_cookie_user() -> str | None:
    return valid_id(request.headers.get(H_USER)) or valid_id(request.cookies.get(COOKIE_USER))
