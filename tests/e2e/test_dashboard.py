"""The live dashboard (DASHBOARD_PORT, 8501) in a real browser: each site's active users are HBase's, and its
speed control (slider, then apply) drives the site's simulation API;
opening the page changes nothing.

Debian's chromium (`make browser` installs it) driven by Playwright; no browser is downloaded. Each test's
screenshot of the page is kept in tests/artifacts/. The rows compared are the ones the Storm topology writes
for shop, news and learn: this test writes nothing to HBase.
"""

import time
from datetime import UTC, datetime

import pytest

from activity_clients import endpoints
from activity_clients import hbase as lab_hbase
from activity_contract import names
from activity_contract.events import parse_event_time
from activitylab.sites import SITE_PORTS, simulation
from lab_browser import chromium, keep_screenshot
from lab_sites import simulation_restored

URL = endpoints.url("dashboard")
MATCH_TIMEOUT_S = 180  # a match takes seconds (recount every 2 s, refresh every 3 s); the rest: a topology starting
LIVE_S = 120  # a matched count must be this fresh: the pipeline and the page are live

# Every site card of the page in one JavaScript turn: the numbers shown and the time they were counted.
READ_CARDS = """() => Object.fromEntries(Array.from(document.querySelectorAll('[data-testid^="site-card-"]'),
    c => [c.dataset.app, {updated_at: c.dataset.updatedAt,
                          active_5m: c.querySelector('[data-field="active_5m"]')?.textContent ?? null,
                          active_30m: c.querySelector('[data-field="active_30m"]')?.textContent ?? null}]))"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser, request):
    """The dashboard in a fresh tab, its screenshot kept as tests/artifacts/<test>.png, closed after the test."""
    tab = browser.new_page(viewport={"width": 1500, "height": 3000})
    tab.goto(URL)
    tab.locator('[data-testid="site-card-shop"]').wait_for(timeout=60_000)
    yield tab
    keep_screenshot(tab, request.node.name)
    tab.close()


def hbase_count(table, app):
    """The site's count as HBase holds it now: (updated_at, active_5m, active_30m), or None before any."""
    cells = table.row(app.encode(), columns=[names.C_ACTIVE_5M, names.C_ACTIVE_30M, names.C_UPDATED_AT])
    if names.C_UPDATED_AT not in cells:
        return None
    return (
        cells[names.C_UPDATED_AT].decode(),
        names.decode_counter(cells.get(names.C_ACTIVE_5M)),
        names.decode_counter(cells.get(names.C_ACTIVE_30M)),
    )


def test_each_sites_active_users_are_hbases(running_simulation, page):  # found before the page opens
    """Counts move as users age out, so the test compares snapshots of one moment: it keeps every version of
    each row it read from HBase (updated_at -> counts) and every card the page showed, until a card's
    updated_at is one it read; the counts at that same updated_at must then be equal, at once."""
    conn = lab_hbase.connect()
    table = conn.table(names.T_ACTIVE_USERS)
    hbase = {app: {} for app in SITE_PORTS}
    matched, shown = {}, {}
    deadline = time.monotonic() + MATCH_TIMEOUT_S
    try:
        while len(matched) < len(SITE_PORTS):
            for app in SITE_PORTS:  # HBase just before and just after reading the page
                if row := hbase_count(table, app):
                    hbase[app][row[0]] = row[1:]
            shown = page.evaluate(READ_CARDS)
            for app in SITE_PORTS:
                if row := hbase_count(table, app):
                    hbase[app][row[0]] = row[1:]
            for app in set(SITE_PORTS) - set(matched):
                card = shown.get(app)
                assert card is not None, f"the dashboard shows no card for {app}: {sorted(shown)}"
                if card["updated_at"] in hbase[app]:
                    on_page = (int(card["active_5m"]), int(card["active_30m"]))
                    assert on_page == hbase[app][card["updated_at"]], (
                        f"{app} at {card['updated_at']}: page shows active 5m/30m {on_page}, "
                        f"HBase holds {hbase[app][card['updated_at']]}"
                    )
                    matched[app] = (card["updated_at"], on_page)
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no page snapshot matched an HBase row within {MATCH_TIMEOUT_S} s for "
                    f"{sorted(set(SITE_PORTS) - set(matched))}: page {shown}, "
                    f"HBase updated_at seen { ({a: sorted(v)[-3:] for a, v in hbase.items()}) } "
                    "(is the topology running? `lab status`)"
                )
            time.sleep(0.25)
    finally:
        conn.close()
    now = datetime.now(UTC)
    for app, (updated_at, _) in matched.items():
        age = (now - parse_event_time(updated_at)).total_seconds()
        assert age < LIVE_S, f"{app}: the matched count is {age:.0f} s old: the topology stopped counting"


def settings_of_every_site():
    return {app: {k: v for k, v in simulation(app).items() if k in ("paused", "speed", "users")} for app in SITE_PORTS}


def test_opening_the_page_changes_no_simulation_setting(browser):
    """The page only shows the sites' simulation until someone moves a control: in one CI run, opening it set every
    site to speed 0.1 and 0 users (the controls' minimums), which stopped the simulated users for the tests after."""
    before = settings_of_every_site()
    tab = browser.new_page(viewport={"width": 1500, "height": 3000})
    try:
        tab.goto(URL)
        for app in SITE_PORTS:
            tab.locator(f'[class*="st-key-speed-{app}-"] input[type="range"]').wait_for(
                state="attached", timeout=60_000
            )
        end = time.monotonic() + 12  # a window over the controls' first refresh (every 10 s), not a readiness wait
        while time.monotonic() < end:
            assert settings_of_every_site() == before, "the open page changed a site's simulation"
            time.sleep(1)
    finally:
        tab.close()


@pytest.fixture
def speeds_restored(lab_env):
    """The speeds the sites had before the test, put back after it."""
    with simulation_restored(lab_env["LAB_ADMIN_TOKEN"]) as found:
        yield {app: state["speed"] for app, state in found.items()}


def test_speed_slider_and_apply_change_the_sites_speed(lab_env, speeds_restored, page):
    """The slider moved, then `apply`: the site runs at the new speed. (`page` set up last, so closed before the
    speeds are restored.)"""
    app = "shop"
    # the slider's keyboard-focusable thumb; its key is speed-<app>-<n>: n counts the site's state changes
    thumb = page.locator(f'[class*="st-key-speed-{app}-"] input[type="range"]')
    thumb.wait_for(state="attached", timeout=30_000)
    before = float(thumb.input_value())
    assert before == pytest.approx(round(speeds_restored[app], 1)), "the slider does not show the site's speed"
    key, expected = ("ArrowRight", round(before + 0.5, 1)) if before <= 19 else ("ArrowLeft", round(before - 0.5, 1))
    thumb.focus()
    for _ in range(5):  # five steps of 0.1
        thumb.press(key)
    assert simulation(app, lab_env["LAB_ADMIN_TOKEN"])["speed"] == pytest.approx(before), "sent before apply"
    page.locator(f'[class*="st-key-apply-{app}-"] button').click()
    deadline, reported = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        reported = simulation(app, lab_env["LAB_ADMIN_TOKEN"])["speed"]
        if reported == pytest.approx(expected):
            break
        time.sleep(0.5)
    assert reported == pytest.approx(expected), (
        f"GET /admin/simulation reports {reported}, the slider moved to {expected}"
    )
    # the page shows the site's new state, as it reads it back (its widgets are replaced: their keys count changes)
    shown, deadline = page.locator(f".st-key-state-{app}"), time.monotonic() + 30
    while f"speed {expected:g}×" not in shown.inner_text():
        assert time.monotonic() < deadline, f"the page shows {shown.inner_text()!r}, not speed {expected:g}×"
        time.sleep(0.5)
    assert lab_env["LAB_ADMIN_TOKEN"] not in page.content(), "the admin token reached the browser"
