"""Admin endpoints: bearer-token auth, simulation control shared through the control file, counters."""

from __future__ import annotations

import json

import pytest

from producers.control import SimulationControl

TOKEN = "test-token-123"  # the settings fixture's admin token


def auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_token_matches_the_fixture(settings):
    assert settings.admin_token == TOKEN


@pytest.mark.parametrize(
    "path,method", [("/admin/simulation", "get"), ("/admin/simulation", "put"), ("/admin/counters", "get")]
)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer "},
    ],
)
def test_admin_needs_the_bearer_token(site, path, method, headers):
    app, client, sink = site
    response = getattr(client, method)(path, headers=headers, json={"paused": True})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"] == "unauthorized"


def test_without_a_configured_token_admin_is_closed(make_site):
    app, client, sink = make_site("shop", admin_token="")
    assert client.get("/admin/simulation", headers={"Authorization": "Bearer "}).status_code == 401


def test_get_simulation_starts_from_settings(make_site):
    app, client, sink = make_site("news", sim_users=7, sim_speed=2.5)
    body = client.get("/admin/simulation", headers=auth()).get_json()
    assert (body["paused"], body["speed"], body["users"], body["max_users"]) == (False, 2.5, 7, 50)
    assert body["simulator"] is None  # no simulator heartbeat yet


def test_put_updates_the_shared_control_file(site, settings):
    app, client, sink = site
    response = client.put("/admin/simulation", headers=auth(), json={"paused": True, "speed": 0.5, "users": 3})
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in ("paused", "speed", "users")} == {
        "paused": True,
        "speed": 0.5,
        "users": 3,
    }
    # what the simulator process reads:
    control = SimulationControl(settings.app_state_dir(), {"paused": False, "speed": 1, "users": 10})
    assert {k: control.read()[k] for k in ("paused", "speed", "users")} == {"paused": True, "speed": 0.5, "users": 3}
    # partial updates keep the rest
    client.put("/admin/simulation", headers=auth(), json={"paused": False})
    assert {k: control.read()[k] for k in ("paused", "speed", "users")} == {"paused": False, "speed": 0.5, "users": 3}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"paused": "yes"}, "paused"),
        ({"paused": 1}, "paused"),
        ({"speed": 0.05}, "speed"),
        ({"speed": 21}, "speed"),
        ({"speed": "fast"}, "speed"),
        ({"speed": True}, "speed"),
        ({"users": -1}, "users"),
        ({"users": 51}, "users"),
        ({"users": 2.5}, "users"),
        ({"users": False}, "users"),
        ({"pause": True}, "pause"),
        ({}, "$"),
        ([1], "$"),
        ("not json", "$"),
    ],
)
def test_put_rejects_bad_values_naming_the_field(site, body, field):
    app, client, sink = site
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    response = client.put("/admin/simulation", headers={**auth(), "Content-Type": "application/json"}, data=data)
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert client.get("/admin/simulation", headers=auth()).get_json()["paused"] is False  # unchanged


def test_speed_bounds_are_inclusive(site):
    app, client, sink = site
    for speed in (0.1, 20, 1):
        assert client.put("/admin/simulation", headers=auth(), json={"speed": speed}).status_code == 200


def test_counters_count_pages_collect_and_rejects(site, event):
    app, client, sink = site
    for path in ("/", "/catalog", "/does-not-exist"):
        client.get(path)
    client.post("/collect", json=event())
    client.post("/collect", data=b"{", content_type="application/json")
    body = client.get("/admin/counters", headers=auth()).get_json()
    assert body["site"]["page_views"] == 3
    assert body["site"]["collect_accepted"] == 1
    assert body["site"]["collect_rejects"] == 1 and body["site"]["collect_rejects_invalid_json"] == 1
    sink_counters = body["sink"]
    assert sink_counters["emitted"] == 4 and sink_counters["produced"] == 4
    for name in ("spooled", "spool_dropped", "send_errors", "spool_pending"):
        assert name in sink_counters
