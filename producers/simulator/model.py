"""The pure part of the simulator: a per-site Markov model of navigation and how one session unfolds.

No I/O here: `run_session` drives a `Browser` (the HTTP one in runner.py, a recorder in tests), and
all randomness comes from the `random.Random` it is given, so a seed reproduces a user's choices.

A session: pick an entry page kind (and a referrer: search engine, social, email or direct), then
repeatedly: on-page events (scroll, click, video_play, ...), dwell, maybe follow a broken link
(404, then back), pick the next kind from the current kind's transition weights; EXIT ends the
session, a `terminal` kind (logout) ends it after its page view.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

EXIT = "exit"


@dataclass
class Context:
    """What a user remembers within a session (current product, cart, course, ...)."""

    logged_in: bool = False
    values: dict = field(default_factory=dict)
    cart: list = field(default_factory=list)
    orders: int = 0


PathPicker = Callable[[random.Random, Context], str]
EventPicker = Callable[[random.Random, Context], "tuple[str, str | None] | None"]
FormPicker = Callable[[random.Random, Context], "dict[str, str]"]


@dataclass(frozen=True)
class Activity:
    """A client-side event that may happen while a page is open."""

    event_type: str
    probability: float
    target: Callable[[random.Random, Context], str | None]


@dataclass(frozen=True)
class PageKind:
    name: str
    pick: PathPicker  # a concrete path (may update the context, e.g. remember the product)
    dwell_median_s: float  # simulated seconds; real time = this / (time compression * speed)
    activities: tuple[Activity, ...] = ()
    before: EventPicker | None = None  # event sent on the current page when navigating here (add_to_cart, ...)
    terminal: bool = False  # the session ends after this page (logout)
    form: FormPicker | None = None  # a form posted to the path (the account form) instead of a GET


@dataclass(frozen=True)
class SiteModel:
    app_id: str
    kinds: Mapping[str, PageKind]
    entry: Mapping[str, float]
    transitions: Mapping[str, Mapping[str, float]]  # weights, may include EXIT; normalised when drawn
    broken_links: tuple[str, ...]
    search_terms: tuple[str, ...]
    broken_link_rate: float = 0.03
    referrer_mix: Mapping[str, float] = field(
        default_factory=lambda: {"direct": 0.35, "search": 0.35, "social": 0.22, "email": 0.08}
    )
    click_rate: float = 0.6  # share of link navigations also reported as a click event
    leave_on_error: float = 0.3  # chance a user gives up after a 5xx page
    max_pages: int = 200

    def validate(self) -> None:
        names = set(self.kinds)
        for kind, row in self.transitions.items():
            unknown = set(row) - names - {EXIT}
            if kind not in names or unknown:
                raise ValueError(f"{self.app_id}: bad transition row {kind!r}: {unknown or kind}")
        missing = {k for k in names if k not in self.transitions and not self.kinds[k].terminal}
        if missing or set(self.entry) - names:
            raise ValueError(f"{self.app_id}: kinds without transitions {missing} or unknown entry kinds")


class Browser(Protocol):
    def visit(self, path: str, referrer: str | None, form: dict[str, str] | None = None) -> int | None:
        """GET the path, or POST the form to it (referrer: previous path, external URL or None); HTTP status,
        None if unreachable."""

    def emit(self, event_type: str, target: str | None) -> None:
        """Send a client-side event about the current page."""

    def dwell(self, sim_seconds: float) -> None:
        """Spend simulated time on the current page."""


@dataclass
class SessionSummary:
    pages: list[tuple[str, int | None]] = field(default_factory=list)  # (path, status)
    kinds: list[str] = field(default_factory=list)  # page kinds, "broken" for broken-link detours
    events: list[tuple[str, str | None]] = field(default_factory=list)
    transitions: list[tuple[str, str]] = field(default_factory=list)  # every draw, including -> EXIT
    end: str = ""  # exit, logout, error, unreachable, max_pages


# ---------------------------------------------------------------------------------------------- draws


def weighted_choice(rng: random.Random, weights: Mapping[str, float]) -> str:
    total = sum(weights.values())
    x = rng.random() * total
    for name, w in weights.items():
        x -= w
        if x < 0:
            return name
    return list(weights)[-1]  # float rounding at the very end


def next_kind(model: SiteModel, current: str, rng: random.Random) -> str:
    return weighted_choice(rng, model.transitions[current])


def dwell_seconds(kind: PageKind, rng: random.Random) -> float:
    """Log-normal around the kind's median (time on page is heavy-tailed), clipped to something sane."""
    return min(max(kind.dwell_median_s * math.exp(rng.gauss(0.0, 0.6)), 1.0), kind.dwell_median_s * 20)


SEARCH_ENGINES = (
    "https://www.google.com/search?q={q}",
    "https://www.bing.com/search?q={q}",
    "https://duckduckgo.com/?q={q}",
)
SOCIAL = (
    "https://www.facebook.com/",
    "https://t.co/{code}",
    "https://www.reddit.com/r/{sub}/",
    "https://www.linkedin.com/feed/",
    "https://www.instagram.com/",
)
WEBMAIL = ("https://mail.google.com/mail/u/0/", "https://outlook.live.com/mail/0/inbox")


def entry_referrer(model: SiteModel, rng: random.Random) -> str | None:
    source = weighted_choice(rng, model.referrer_mix)
    if source == "search":
        return rng.choice(SEARCH_ENGINES).format(q=rng.choice(model.search_terms).replace(" ", "+"))
    if source == "social":
        return rng.choice(SOCIAL).format(code=f"{rng.getrandbits(40):010x}", sub=model.app_id)
    if source == "email":
        return rng.choice(WEBMAIL)
    return None


def needs_new_session(last_activity: float | None, now: float, idle_timeout_s: float, ended: bool) -> bool:
    """A session ends at logout or exit (ended), or after idle_timeout_s without activity."""
    return ended or last_activity is None or now - last_activity >= idle_timeout_s


# ---------------------------------------------------------------------------------------------- a session


def run_session(model: SiteModel, rng: random.Random, browser: Browser, ctx: Context | None = None) -> SessionSummary:
    ctx = ctx or Context()
    summary = SessionSummary()
    kind_name = weighted_choice(rng, model.entry)
    path = model.kinds[kind_name].pick(rng, ctx)
    status = _visit(
        browser, summary, kind_name, path, entry_referrer(model, rng), _form(model.kinds[kind_name], rng, ctx)
    )
    while True:
        kind = model.kinds[kind_name]
        if status is None:
            summary.end = "unreachable"
            return summary
        _on_page(model, kind, rng, browser, ctx, summary, status)
        if kind.terminal:
            summary.end = kind_name
            return summary
        if status >= 500 and rng.random() < model.leave_on_error:
            summary.end = "error"
            return summary
        while rng.random() < model.broken_link_rate and len(summary.pages) < model.max_pages:
            broken = rng.choice(model.broken_links)
            _visit(browser, summary, "broken", broken, path)
            browser.dwell(3.0)  # reads the 404, goes back (from the browser cache: no request)
        if len(summary.pages) >= model.max_pages:
            summary.end = "max_pages"
            return summary
        nxt = next_kind(model, kind_name, rng)
        summary.transitions.append((kind_name, nxt))
        if nxt == EXIT:
            summary.end = EXIT
            return summary
        next_path = model.kinds[nxt].pick(rng, ctx)
        before = model.kinds[nxt].before
        if before is not None:
            event = before(rng, ctx)
            if event is not None:
                _emit(browser, summary, ctx, *event)
        if rng.random() < model.click_rate:
            _emit(browser, summary, ctx, "click", f"link:{next_path.split('?')[0]}")
        status = _visit(browser, summary, nxt, next_path, path, _form(model.kinds[nxt], rng, ctx))
        kind_name, path = nxt, next_path


def _form(kind: PageKind, rng: random.Random, ctx: Context) -> dict[str, str] | None:
    return kind.form(rng, ctx) if kind.form is not None else None


def _visit(
    browser: Browser,
    summary: SessionSummary,
    kind: str,
    path: str,
    referrer: str | None,
    form: dict[str, str] | None = None,
) -> int | None:
    status = browser.visit(path, referrer, form)
    summary.pages.append((path, status))
    summary.kinds.append(kind)
    return status


def _emit(browser: Browser, summary: SessionSummary, ctx: Context, event_type: str, target: str | None) -> None:
    if event_type == "login":
        if ctx.logged_in:
            return
        ctx.logged_in = True
    elif event_type == "logout":
        if not ctx.logged_in:
            return
        ctx.logged_in = False
    browser.emit(event_type, target)
    summary.events.append((event_type, target))


def _on_page(
    model: SiteModel,
    kind: PageKind,
    rng: random.Random,
    browser: Browser,
    ctx: Context,
    summary: SessionSummary,
    status: int,
) -> None:
    """Events happen spread over the dwell time; none on an error page (nothing there to click)."""
    total = dwell_seconds(kind, rng)
    planned = []
    if status < 400:
        for activity in kind.activities:
            if rng.random() < activity.probability:
                planned.append((rng.random(), activity))
    planned.sort(key=lambda p: p[0])
    spent = 0.0
    for fraction, activity in planned:
        browser.dwell(total * fraction - spent)
        spent = total * fraction
        _emit(browser, summary, ctx, activity.event_type, activity.target(rng, ctx))
    browser.dwell(total - spent)


# ---------------------------------------------------------------------------------------------- expectations


def normalised(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


def expected_kind_visits(model: SiteModel) -> float:
    """Expected page-kind visits per session (absorbing Markov chain), ignoring max_pages and 5xx exits."""
    steps = {k: 1.0 for k in model.kinds}
    probs = {k: normalised(row) for k, row in model.transitions.items()}
    for _ in range(10_000):
        delta = 0.0
        for k, kind in model.kinds.items():
            value = 1.0 if kind.terminal else 1.0 + sum(p * steps[j] for j, p in probs[k].items() if j != EXIT)
            delta = max(delta, abs(value - steps[k]))
            steps[k] = value
        if delta < 1e-12:
            break
    return sum(p * steps[k] for k, p in normalised(model.entry).items())


def expected_pages_per_session(model: SiteModel) -> float:
    """Kind visits plus broken-link detours: each step adds a geometric number of 404s, b/(1-b) on average."""
    return expected_kind_visits(model) / (1.0 - model.broken_link_rate)


def expected_bounce_rate(model: SiteModel) -> float:
    """Sessions with one page view: the entry page, no detour, then EXIT."""
    entry = normalised(model.entry)
    return sum(
        p * (1 - model.broken_link_rate) * normalised(model.transitions[k]).get(EXIT, 0.0)
        for k, p in entry.items()
        if not model.kinds[k].terminal
    )
