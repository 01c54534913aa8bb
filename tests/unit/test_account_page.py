"""The account page: the signed-in user's profile and the form that changes it (producers/accounts.py, site.py).
The store here is an in-memory double of ProfileStore; MariaDB itself is exercised by the end-to-end tests."""

import random
from datetime import date, datetime

import pytest

from producers.accounts import PLANS, Profile, ProfilesUnavailable, parse_change
from producers.simulator.model import Context
from producers.simulator.sites import site_model

USER = {"X-Lab-User": "shop-u03", "X-Lab-Session": "s-1", "X-Lab-Fault": "none"}


class MemoryProfiles:
    configured = True

    def __init__(self, down=False):
        self.down = down
        self.rows = {
            "shop-u03": Profile(
                "shop-u03",
                "Jonas Nakamura",
                "jonas@example.com",
                date(2023, 7, 31),
                "plus",
                "ES",
                False,
                datetime(2023, 7, 31, 18, 23),
            )
        }

    def get(self, user_id):
        if self.down:
            raise ProfilesUnavailable("MariaDB at mariadb:3306: connection refused")
        return self.rows.get(user_id)

    def update(self, user_id, plan, marketing_opt_in):
        if self.down:
            raise ProfilesUnavailable("MariaDB at mariadb:3306: connection refused")
        old = self.rows.get(user_id)
        if old is None:
            return None
        if (old.plan, old.marketing_opt_in) == (plan, marketing_opt_in):
            return False
        self.rows[user_id] = Profile(
            *[*vars(old).values()][:4], plan, old.country, marketing_opt_in, datetime(2026, 12, 3, 12, 0)
        )
        return True


@pytest.fixture
def account(site):
    app, client, sink = site
    store = MemoryProfiles()
    app.extensions["activitylab"].profiles = store
    return app, client, sink, store


def test_the_form_fields_become_a_change_or_a_reason():
    assert parse_change({"plan": "pro", "marketing_opt_in": "on"}) == ({"plan": "pro", "marketing_opt_in": True}, None)
    assert parse_change({"plan": "free"}) == ({"plan": "free", "marketing_opt_in": False}, None)  # box unticked
    assert parse_change({"plan": "gold"})[1] == "plan must be one of free, plus, pro, not 'gold'"
    assert parse_change({"plan": "pro", "marketing_opt_in": "maybe"})[1].startswith("marketing_opt_in must be")


def test_the_page_shows_the_users_profile(account):
    _, client, sink, _ = account
    page = client.get("/account", headers=USER)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-plan="plus"' in html and "Jonas Nakamura" in html
    assert [(e["event_type"], e["section"], e["http_status"]) for e in sink.events] == [("page_view", "account", 200)]


def test_saving_changes_the_profile_once_and_a_save_without_change_leaves_it(account):
    app, client, sink, store = account
    saved = client.post("/account", data={"plan": "pro", "marketing_opt_in": "on"}, headers=USER)
    assert saved.status_code == 200 and "Saved." in saved.get_data(as_text=True)
    assert (store.rows["shop-u03"].plan, store.rows["shop-u03"].marketing_opt_in) == ("pro", True)
    again = client.post("/account", data={"plan": "pro", "marketing_opt_in": "on"}, headers=USER)
    assert "Nothing to change." in again.get_data(as_text=True)
    site = app.extensions["activitylab"].counters()["site"]
    assert (site["account_changes"], site["account_saves_unchanged"]) == (1, 1)
    assert [e["http_status"] for e in sink.events] == [200, 200]  # each post is a page view of the account page


def test_a_bad_form_is_refused_with_the_reason_and_changes_nothing(account):
    app, client, _, store = account
    refused = client.post("/account", data={"plan": "platinum"}, headers=USER)
    assert refused.status_code == 400 and "plan must be one of free, plus, pro" in refused.get_data(as_text=True)
    assert store.rows["shop-u03"].plan == "plus"
    assert app.extensions["activitylab"].counters()["site"]["account_rejects"] == 1


def test_without_a_profile_or_a_user_there_is_nothing_to_change(account):
    _, client, _, _ = account
    assert client.post("/account", data={"plan": "pro"}, headers={**USER, "X-Lab-User": "shop-u42"}).status_code == 404
    assert client.post("/account", data={"plan": "pro"}).status_code == 401  # anonymous visitor


def test_an_unreachable_database_gives_a_503_and_an_error_log_entry(account, settings):
    app, client, _, store = account
    store.down = True
    page = client.post("/account", data={"plan": "pro"}, headers=USER)
    assert page.status_code == 503 and "cannot be shown right now" in page.get_data(as_text=True)
    assert app.extensions["activitylab"].counters()["site"]["account_db_errors"] == 1
    errors = (settings.log_dir / "shop" / "error.log").read_text()
    assert "POST /account for shop-u03: MariaDB at mariadb:3306: connection refused" in errors


def test_a_site_without_the_profile_database_still_serves_the_page(site):
    _, client, _ = site
    page = client.post("/account", data={"plan": "pro"}, headers=USER)
    assert page.status_code == 200 and "Signed in as shop-u03." in page.get_data(as_text=True)


@pytest.mark.parametrize("app_id", ["shop", "news", "learn"])
def test_simulated_users_save_valid_forms_from_their_account_page(app_id):
    model = site_model(app_id)
    save = model.kinds["account_save"]
    assert model.transitions["account"]["account_save"] > 0 and save.pick(random.Random(1), Context()) == "/account"
    rng = random.Random(7)
    changes = [parse_change(save.form(rng, Context())) for _ in range(200)]
    assert all(problem is None for _, problem in changes)
    assert {c["plan"] for c, _ in changes} == set(PLANS) and {c["marketing_opt_in"] for c, _ in changes} == {
        True,
        False,
    }
