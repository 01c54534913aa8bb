"""The site's JSON endpoints: /healthz, POST /collect and the bearer-token /admin/* endpoints; /metrics for
Prometheus (producers/metrics.py)."""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.exceptions import RequestEntityTooLarge

from activity_contract.events import FieldError, error_body, parse_event_json
from producers.control import validate_update

if TYPE_CHECKING:
    from producers.site_state import SiteState

COLLECT_MAX_BYTES = 16 * 1024


def json_error(status: int, body: dict[str, Any]):
    response = jsonify(body)
    response.status_code = status
    return response


def register_api(app: Flask, state: SiteState) -> None:
    @app.get("/healthz")
    def healthz():
        counters = state.counters()
        return jsonify(
            {
                "status": "ok",
                "app_id": state.app_id,
                "kafka_connected": counters["sink"].get("kafka_connected"),
                "counters": counters,
            }
        )

    @app.get("/metrics")
    def metrics():
        # Counts only, no user data: open like /healthz (the port is published on LAB_BIND only).
        return state.metrics.exposition(), 200, {"Content-Type": CONTENT_TYPE_LATEST}

    @app.post("/collect")
    def collect():
        raw = read_body_limited()  # over the limit raises 413, handled below
        obj, errors = parse_event_json(raw)
        if not errors and obj["app_id"] != state.app_id:
            errors = [FieldError("app_id", f"this is the {state.app_id!r} site; send {obj['app_id']!r} events there")]
        if not errors and obj["event_type"] == "page_view":
            errors = [
                FieldError(
                    "event_type", "page_view is recorded by the site for each page request, not accepted on /collect"
                )
            ]
        if errors:
            reason = "invalid_json" if obj is None and errors[0].field == "$" else "invalid_field"
            state.count("collect_rejects")
            state.count(f"collect_rejects_{reason}")
            state.sink.reject(f"{errors[0].field}: {errors[0].message}", raw.decode("utf-8", "replace"))
            return json_error(400, error_body(errors, "invalid json" if reason == "invalid_json" else "invalid field"))
        state.sink.emit(obj)
        state.count("collect_accepted")
        return json_error(202, {"status": "accepted", "event_id": obj["event_id"]})

    def unauthorized():
        token = state.settings.admin_token
        given = request.headers.get("Authorization", "")
        if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
            return None
        response = json_error(
            401,
            {
                "error": "unauthorized",
                "message": "send Authorization: Bearer $LAB_ADMIN_TOKEN"
                if token
                else "LAB_ADMIN_TOKEN is not set on this site",
            },
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="activitylab"'
        return response

    def simulation_view() -> dict[str, Any]:
        return {
            **state.control.read(),
            "max_users": state.settings.sim_max_users,
            "simulator": state.control.read_status(),
        }

    @app.get("/admin/simulation")
    def get_simulation():
        return unauthorized() or jsonify(simulation_view())

    @app.put("/admin/simulation")
    def put_simulation():
        if denied := unauthorized():
            return denied
        body, errors = parse_json_body()
        if not errors:
            changes, errors = validate_update(body, state.settings.sim_max_users)
        if errors:
            return json_error(400, error_body(errors))
        state.control.update(changes)
        return jsonify(simulation_view())

    @app.get("/admin/counters")
    def get_counters():
        return unauthorized() or jsonify(state.counters())

    @app.post("/admin/logs/rotate")
    def rotate_logs():
        """Rotates access, error and perf log now (as SITE_LOG_MAX_BYTES does by size)."""
        return unauthorized() or jsonify({"rotated": state.logs.rotate()})

    def parse_json_body() -> tuple[Any, list[FieldError]]:
        try:
            return json.loads(request.get_data(cache=False) or b"null"), []
        except ValueError as exc:
            return None, [FieldError("$", f"body is not valid JSON: {exc}")]


def read_body_limited() -> bytes:
    """The request body, or RequestEntityTooLarge when it is over COLLECT_MAX_BYTES.

    With a Content-Length, werkzeug refuses an oversize body up front. A chunked body has none:
    read at most one byte past the limit from the server-terminated stream to tell.
    """
    if request.content_length is not None or not request.environ.get("wsgi.input_terminated"):
        return request.get_data(cache=False)
    stream, chunks, size = request.environ["wsgi.input"], [], 0
    while size <= COLLECT_MAX_BYTES:
        chunk = stream.read(COLLECT_MAX_BYTES + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > COLLECT_MAX_BYTES:
        raise RequestEntityTooLarge()
    return b"".join(chunks)
