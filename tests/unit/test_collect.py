"""POST /collect: 202 for valid events, 400 naming the field, 413 over 16 KiB; nothing invalid is emitted."""

from __future__ import annotations

import io
import json

import pytest

from event_cases import malformed_bodies
from producers.api import COLLECT_MAX_BYTES


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
    response = client.post(
        "/collect",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
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
