"""Shared fixtures of the unit tests: settings in a temp dir, a site app over a MemorySink."""
from __future__ import annotations

import pytest

from activitylab.events import build_event
from producers.settings import Settings
from producers.sinks import MemorySink
from producers.site import create_app

ADMIN_TOKEN = "test-token-123"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(app_id="shop", log_dir=tmp_path / "log", spool_dir=tmp_path / "spool",
                    state_dir=tmp_path / "state", admin_token=ADMIN_TOKEN, error_rate=0.0, slow_rate=0.0,
                    latency_scale=0.0, fault_seed=1)


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


def valid_event(**overrides) -> dict:
    fields = dict(event_type="click", app_id="shop", user_id="shop-u01", session_id="s-1", page="/product/3",
                  section="catalog", http_status=200, latency_ms=12.5, country="DE", city="Berlin",
                  device_type="desktop", os="Linux", browser="Firefox",
                  user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                  referrer="/catalog/books", target="add-to-cart:3")
    fields.update(overrides)
    return build_event(**fields)
