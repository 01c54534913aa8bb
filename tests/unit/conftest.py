"""Shared fixtures of the unit tests: settings in a temp dir, a site app over a MemorySink."""

from __future__ import annotations

import pytest

from event_cases import valid_event  # shared with the e2e tests
from producers.settings import Settings
from producers.sinks import MemorySink
from producers.site import create_app

ADMIN_TOKEN = "test-token-123"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        app_id="shop",
        log_dir=tmp_path / "log",
        spool_dir=tmp_path / "spool",
        state_dir=tmp_path / "state",
        admin_token=ADMIN_TOKEN,
        error_rate=0.0,
        slow_rate=0.0,
        latency_scale=0.0,
        fault_seed=1,
    )


@pytest.fixture
def make_site(settings):
    def make(app_id: str = "shop", **changes):
        sink = MemorySink()
        app = create_app(app_id, sink, settings.replace(app_id=app_id, **changes))
        return app, app.test_client(), sink

    return make


@pytest.fixture
def site(make_site):
    return make_site("shop")


@pytest.fixture
def event():
    """A factory of valid v1 events: event(field=value, ...)."""
    return valid_event
