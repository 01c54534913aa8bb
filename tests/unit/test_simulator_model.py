"""The pure navigation model: statistics match its parameters, and a seed reproduces everything."""

from __future__ import annotations

import random
import re
from collections import Counter
from itertools import pairwise

import pytest

from producers.simulator.model import (
    EXIT,
    Context,
    expected_bounce_rate,
    expected_pages_per_session,
    needs_new_session,
    normalised,
    run_session,
)
from producers.simulator.sites import MODELS
from producers.simulator.users import make_user

SESSIONS = 3000


class RecordingBrowser:
    """model.Browser without HTTP: broken links answer 404, everything else 200."""

    def __init__(self, broken: tuple[str, ...]):
        self.broken = set(broken)
        self.log: list[tuple] = []

    def visit(self, path, referrer, form=None):
        status = 404 if path.split("?")[0] in self.broken else 200
        self.log.append(("visit", path, referrer, status) + ((form,) if form is not None else ()))
        return status

    def emit(self, event_type, target):
        self.log.append(("emit", event_type, target))

    def dwell(self, sim_seconds):
        self.log.append(("dwell", round(sim_seconds, 6)))


def simulate(app_id: str, seed: int, sessions: int = SESSIONS):
    model = MODELS[app_id]
    rng = random.Random(seed)
    browser = RecordingBrowser(model.broken_links)
    summaries = [run_session(model, rng, browser, Context()) for _ in range(sessions)]
    return model, summaries, browser


@pytest.fixture(scope="module", params=["shop", "news", "learn"])
def simulated(request):
    return simulate(request.param, seed=20261123)


def test_mean_session_length_matches_the_markov_chain(simulated):
    model, summaries, _ = simulated
    mean = sum(len(s.pages) for s in summaries) / len(summaries)
    expected = expected_pages_per_session(model)
    assert 2.5 < expected < 15, "a session of a few pages, like real traffic"
    assert abs(mean - expected) / expected < 0.06, (mean, expected)


def test_bounce_rate_matches(simulated):
    model, summaries, _ = simulated
    bounces = sum(1 for s in summaries if len(s.pages) == 1) / len(summaries)
    assert abs(bounces - expected_bounce_rate(model)) < 0.03


def test_broken_link_404_share_matches_the_rate(simulated):
    model, summaries, _ = simulated
    statuses = [status for s in summaries for _, status in s.pages]
    share = statuses.count(404) / len(statuses)
    assert abs(share - model.broken_link_rate) < 0.008, share
    assert set(statuses) == {200, 404}


def test_each_transition_happens_at_its_configured_rate(simulated):
    model, summaries, _ = simulated
    draws = Counter(t for s in summaries for t in s.transitions)
    from_counts = Counter(src for src, _ in draws.elements())
    for src, row in model.transitions.items():
        if from_counts[src] < 400:
            continue  # too rare in this sample for a tight bound
        for dst, p in normalised(row).items():
            observed = draws[(src, dst)] / from_counts[src]
            assert abs(observed - p) < 0.05, (src, dst, observed, p)


def test_sessions_end_by_exit_or_logout(simulated):
    _, summaries, _ = simulated
    ends = Counter(s.end for s in summaries)
    assert set(ends) <= {EXIT, "logout"} and ends[EXIT] > ends["logout"] > 0


def test_entry_page_has_an_external_or_no_referrer_later_pages_the_previous_path():
    model = MODELS["shop"]
    rng = random.Random(11)
    for _ in range(200):
        browser = RecordingBrowser(model.broken_links)
        run_session(model, rng, browser, Context())
        visits = [entry for entry in browser.log if entry[0] == "visit"]
        assert visits[0][2] is None or visits[0][2].startswith("https://")
        for previous, current in pairwise(visits):
            if previous[3] != 404:  # after a broken link the user goes back: referrer is the page before
                assert current[2] == previous[1]


def test_entry_referrers_mix_search_social_email_and_direct():
    model = MODELS["news"]
    rng = random.Random(5)
    kinds = Counter()
    for _ in range(2000):
        browser = RecordingBrowser(model.broken_links)
        run_session(model, rng, browser, Context())
        referrer = browser.log[0][2]
        kinds[
            "direct"
            if referrer is None
            else "search"
            if "q=" in referrer
            else "email"
            if "mail" in referrer
            else "social"
        ] += 1
    for source, p in model.referrer_mix.items():
        assert abs(kinds[source] / 2000 - p) < 0.04, (source, kinds)


def test_shop_funnel_conversion_matches_parameters():
    model, summaries, _ = simulate("shop", seed=99, sessions=6000)
    t = {k: normalised(v) for k, v in model.transitions.items()}
    draws = Counter(x for s in summaries for x in s.transitions)
    from_product = sum(n for (src, _), n in draws.items() if src == "product")
    from_checkout = sum(n for (src, _), n in draws.items() if src == "checkout")
    assert abs(draws[("product", "cart_add")] / from_product - t["product"]["cart_add"]) < 0.015
    assert abs(draws[("checkout", "complete")] / from_checkout - t["checkout"]["complete"]) < 0.03
    events = Counter(e for s in summaries for e, _ in s.events)
    kinds = Counter(k for s in summaries for k in s.kinds)
    assert events["add_to_cart"] == kinds["cart_add"] > 0  # each add_to_cart lands on the cart page
    assert events["purchase"] == kinds["complete"] > 0  # each purchase lands on the confirmation page
    purchasing = sum(1 for s in summaries if any(e == "purchase" for e, _ in s.events)) / len(summaries)
    assert 0.01 < purchasing < 0.2  # a plausible e-commerce conversion rate


def test_client_events_are_site_specific(simulated):
    model, summaries, _ = simulated
    events = Counter(e for s in summaries for e, _ in s.events)
    assert events["click"] and events["scroll"]
    specific = {
        "shop": {"add_to_cart", "purchase", "search", "remove_from_cart"},
        "news": {"share", "search"},
        "learn": {"video_play", "quiz_submit", "form_submit"},
    }[model.app_id]
    assert specific <= set(events), events
    assert events["logout"] <= events["login"]  # a logout event needs a login first


def test_login_and_logout_events_alternate_within_a_session(simulated):
    _, summaries, _ = simulated
    for s in summaries:
        state = False
        for event, _ in s.events:
            if event in ("login", "logout"):
                assert state == (event == "logout")
                state = not state


def test_same_seed_same_behaviour_other_seed_other_behaviour():
    _, _, a = simulate("learn", seed=1, sessions=50)
    _, _, b = simulate("learn", seed=1, sessions=50)
    _, _, c = simulate("learn", seed=2, sessions=50)
    assert a.log == b.log
    assert a.log != c.log


def test_session_decisions():
    assert needs_new_session(None, 100.0, 1800, ended=False)  # first activity
    assert not needs_new_session(100.0, 100.0 + 1799, 1800, ended=False)
    assert needs_new_session(100.0, 100.0 + 1800, 1800, ended=False)  # 30 minutes idle
    assert needs_new_session(100.0, 101.0, 1800, ended=True)  # after logout / exit


def test_user_identities_are_stable_valid_and_varied():
    users = [make_user("shop", i) for i in range(1, 11)]
    assert [u.user_id for u in users] == [f"shop-u{i:02d}" for i in range(1, 11)]
    assert users == [make_user("shop", i) for i in range(1, 11)]
    for u in users:
        assert re.fullmatch(r"[A-Z]{2}", u.country) and u.city
        assert u.device_type in ("desktop", "mobile", "tablet") and u.os and u.browser
        assert u.user_agent.startswith("Mozilla/5.0 (")
        assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", u.ip)
    assert len({u.country for u in users}) >= 4
    assert len({u.user_agent for u in users}) >= 6
    assert make_user("news", 1).user_id == "news-u01"
