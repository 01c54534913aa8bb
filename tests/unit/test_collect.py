"""POST /collect: 202 for valid events, 400 naming the field, 413 over 16 KiB; nothing invalid is emitted."""
from __future__ import annotations

import io
import json

import pytest

from producers.api import COLLECT_MAX_BYTES


def _without(d: dict, key: str) -> dict:
    return {k: v for k, v in d.items() if k != key}


def _with(d: dict, dotted: str, value) -> dict:
    d = json.loads(json.dumps(d))
    target = d
    *parents, last = dotted.split(".")
    for p in parents:
        target = target[p]
    target[last] = value
    return d


def malformed_bodies(e: dict) -> list[tuple[str, bytes, int, str]]:
    """(name, body, expected status, expected field): 30 kinds, beyond the 20 the issue asks for."""
    j = lambda obj: json.dumps(obj).encode()  # noqa: E731
    return [
        ("bad json", b'{"event_type": "click",', 400, "$"),
        ("not json at all", b"hello", 400, "$"),
        ("empty body", b"", 400, "$"),
        ("json array", j([e]), 400, "$"),
        ("json string", j("click"), 400, "$"),
        ("json null", b"null", 400, "$"),
        ("invalid utf-8", b'{"a": "\xff"}', 400, "$"),
        ("missing event_id", j(_without(e, "event_id")), 400, "event_id"),
        ("missing event_type", j(_without(e, "event_type")), 400, "event_type"),
        ("missing event_time", j(_without(e, "event_time")), 400, "event_time"),
        ("missing user_id", j(_without(e, "user_id")), 400, "user_id"),
        ("missing geo", j(_without(e, "geo")), 400, "geo"),
        ("missing geo.city", j(_with(e, "geo", {"country": "DE"})), 400, "geo.city"),
        ("missing schema_version", j(_without(e, "schema_version")), 400, "schema_version"),
        ("unknown event_type", j(_with(e, "event_type", "teleport")), 400, "event_type"),
        ("page_view via collect", j(_with(e, "event_type", "page_view")), 400, "event_type"),
        ("wrong app_id for this site", j(_with(e, "app_id", "news")), 400, "app_id"),
        ("unknown app_id", j(_with(e, "app_id", "blog")), 400, "app_id"),
        ("latency as string", j(_with(e, "latency_ms", "12")), 400, "latency_ms"),
        ("negative latency", j(_with(e, "latency_ms", -5)), 400, "latency_ms"),
        ("http_status as string", j(_with(e, "http_status", "200")), 400, "http_status"),
        ("http_status float", j(_with(e, "http_status", 200.5)), 400, "http_status"),
        ("schema_version 2", j(_with(e, "schema_version", 2)), 400, "schema_version"),
        ("event_id not uuid", j(_with(e, "event_id", "12345")), 400, "event_id"),
        ("event_time without ms", j(_with(e, "event_time", "2026-11-23T19:34:05Z")), 400, "event_time"),
        ("event_time epoch number", j(_with(e, "event_time", 1795464000)), 400, "event_time"),
        ("country alpha-3", j(_with(e, "geo.country", "DEU")), 400, "geo.country"),
        ("device type unknown", j(_with(e, "device.type", "watch")), 400, "device.type"),
        ("geo as string", j(_with(e, "geo", "Berlin")), 400, "geo"),
        ("extra field", j({**e, "price": 9.99}), 400, "price"),
        ("referrer number", j(_with(e, "referrer", 7)), 400, "referrer"),
        ("oversize", j({**e, "target": "x" * COLLECT_MAX_BYTES}), 413, "$"),
    ]


def test_valid_event_is_accepted_and_emitted_unchanged(site, event):
    app, client, sink = site
    e = event()
    response = client.post("/collect", json=e)
    assert response.status_code == 202
    assert response.get_json() == {"status": "accepted", "event_id": e["event_id"]}
    assert sink.events == [e]


def test_text_plain_bodies_work_too(site, event):
    # navigator.sendBeacon posts text/plain; the body is what counts
    app, client, sink = site
    response = client.post("/collect", data=json.dumps(event()), content_type="text/plain")
    assert response.status_code == 202


def test_at_least_twenty_kinds_of_malformed_bodies_are_rejected_naming_the_field(site, event):
    app, client, sink = site
    cases = malformed_bodies(event())
    assert len({c[0] for c in cases}) >= 20
    for name, body, status, field in cases:
        response = client.post("/collect", data=body, content_type="application/json")
        assert response.status_code == status, name
        payload = response.get_json()
        assert payload["field"] == field, (name, payload)
        assert payload["error"] and payload["message"], name
    assert sink.events == [], "nothing invalid may be emitted"
    counters = client.get("/healthz").get_json()["counters"]["site"]
    assert counters["collect_rejects"] == len(cases)
    assert counters["collect_accepted"] == 0
    assert counters["collect_rejects_too_large"] == 1
    assert len(sink.rejected) == len(cases)  # each reported to the dead-letter path


def test_size_limit_is_exactly_16_kib(site, event):
    app, client, sink = site
    body = json.dumps(event()).encode()
    at_limit = body + b" " * (COLLECT_MAX_BYTES - len(body))  # trailing whitespace is still valid JSON
    assert client.post("/collect", data=at_limit, content_type="application/json").status_code == 202
    response = client.post("/collect", data=at_limit + b" ", content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["limit_bytes"] == COLLECT_MAX_BYTES


def test_oversize_without_content_length_is_413(site):
    # chunked upload: no Content-Length to check up front, the limit applies while reading
    app, client, sink = site
    body = b'{"x": "' + b"y" * 40_000 + b'"}'
    response = client.post("/collect", input_stream=io.BytesIO(body), content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert sink.events == []


def test_400_lists_every_problem(site, event):
    app, client, sink = site
    body = {**event(), "latency_ms": "x", "http_status": "y"}
    del body["page"]
    errors = client.post("/collect", json=body).get_json()["errors"]
    assert [e["field"] for e in errors] == ["page", "http_status", "latency_ms"]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_get_a_json_405(site, method):
    app, client, sink = site
    response = getattr(client, method)("/collect")
    assert response.status_code == 405 and response.is_json
