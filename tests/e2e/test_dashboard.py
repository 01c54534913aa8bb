"""The live dashboard (DASHBOARD_PORT, 8501) in a real browser: each site's active users are HBase's, and its
speed control drives the site's simulation API.

Debian's chromium (`make browser` installs it) driven by Playwright; no browser is downloaded. Each test's
screenshot of the page is kept in tests/artifacts/. The rows compared are the ones the Storm topology writes
for shop, news and learn: this test writes nothing to HBase.
"""
import os
import time
from datetime import datetime, timezone

import happybase
import pytest

from activity_contract import names
from activity_contract.events import parse_event_time
from activitylab.sites import SITE_PORTS, simulation
from lab_sites import simulation_restored
from activitylab import endpoints

URL = endpoints.url("dashboard")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "artifacts")
MATCH_TIMEOUT_S = 180  # a match takes seconds (recount every 2 s, refresh every 3 s); the rest: a topology starting
LIVE_S = 120           # a matched count must be this fresh: the pipeline and the page are live

# Every site card of the page in one JavaScript turn: the numbers shown and the time they were counted.
READ_CARDS = """() => Object.fromEntries(Array.from(document.querySelectorAll('[data-testid^="site-card-"]'),
    c => [c.dataset.app, {updated_at: c.dataset.updatedAt,
                          active_5m: c.querySelector('[data-field="active_5m"]')?.textContent ?? null,
                          active_30m: c.querySelector('[data-field="active_30m"]')?.textContent ?? null}]))"""


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} missing: `make browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """The dashboard in a fresh tab, its screenshot kept as tests/artifacts/<test>.png, closed after the test."""
    tab = browser.new_page(viewport={"width": 1500, "height": 3000})
    tab.goto(URL)
    tab.locator('[data-testid="site-card-shop"]').wait_for(timeout=60_000)
    yield tab
    os.makedirs(ARTIFACTS, exist_ok=True)
    tab.screenshot(path=os.path.join(ARTIFACTS, f"{request.node.name}.png"))
    tab.close()


def hbase_count(table, app):
    """The site's count as HBase holds it now: (updated_at, active_5m, active_30m), or None before any."""
    cells = table.row(app.encode(), columns=[names.C_ACTIVE_5M, names.C_ACTIVE_30M, names.C_UPDATED_AT])
    if names.C_UPDATED_AT not in cells:
        return None
    return (cells[names.C_UPDATED_AT].decode(), names.decode_counter(cells.get(names.C_ACTIVE_5M)),
            names.decode_counter(cells.get(names.C_ACTIVE_30M)))


def test_each_sites_active_users_are_hbases(page, running_simulation):
    """Counts move as users age out, so the test compares snapshots of one moment: it keeps every version of
    each row it read from HBase (updated_at -> counts) and every card the page showed, until a card's
    updated_at is one it read; the counts at that same updated_at must then be equal, at once."""
    conn = happybase.Connection(*endpoints.host_port("hbase-thrift"), timeout=30_000)
    table = conn.table(names.T_ACTIVE_USERS)
    hbase = {app: {} for app in SITE_PORTS}
    matched, shown = {}, {}
    deadline = time.monotonic() + MATCH_TIMEOUT_S
    try:
        while len(matched) < len(SITE_PORTS):
            for app in SITE_PORTS:   # HBase just before and just after reading the page
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
                        f"HBase holds {hbase[app][card['updated_at']]}")
                    matched[app] = (card["updated_at"], on_page)
            if time.monotonic() > deadline:
                pytest.fail(f"no page snapshot matched an HBase row within {MATCH_TIMEOUT_S} s for "
                            f"{sorted(set(SITE_PORTS) - set(matched))}: page {shown}, "
                            f"HBase updated_at seen {({a: sorted(v)[-3:] for a, v in hbase.items()})} "
                            "(is the topology running? `lab status`)")
            time.sleep(0.25)
    finally:
        conn.close()
    now = datetime.now(timezone.utc)
    for app, (updated_at, _) in matched.items():
        age = (now - parse_event_time(updated_at)).total_seconds()
        assert age < LIVE_S, f"{app}: the matched count is {age:.0f} s old: the topology stopped counting"


@pytest.fixture
def speeds_restored(lab_env):
    """The speeds the sites had before the test, put back after it."""
    with simulation_restored(lab_env["LAB_ADMIN_TOKEN"]) as found:
        yield {app: state["speed"] for app, state in found.items()}


def test_speed_slider_changes_the_sites_speed(lab_env, speeds_restored, page):
    """(`page` set up last, so closed before the speeds are restored: no move of the slider lands after that.)"""
    app = "shop"
    thumb = page.locator(f'.st-key-speed-{app} input[type="range"]')   # the slider's keyboard-focusable thumb
    thumb.wait_for(state="attached", timeout=30_000)
    before = float(thumb.input_value())
    assert before == pytest.approx(round(speeds_restored[app], 1)), "the slider does not show the site's speed"
    key, expected = ("ArrowRight", round(before + 0.5, 1)) if before <= 19 else ("ArrowLeft", round(before - 0.5, 1))
    thumb.focus()
    for _ in range(5):   # five steps of 0.1
        thumb.press(key)
    deadline, reported = time.monotonic() + 20, None
    while time.monotonic() < deadline:
        reported = simulation(app, lab_env["LAB_ADMIN_TOKEN"])["speed"]
        if reported == pytest.approx(expected):
            break
        time.sleep(0.5)
    assert reported == pytest.approx(expected), f"GET /admin/simulation reports {reported}, the slider moved to {expected}"
    assert float(thumb.input_value()) == pytest.approx(expected)
    assert lab_env["LAB_ADMIN_TOKEN"] not in page.content(), "the admin token reached the browser"
