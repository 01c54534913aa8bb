"""A generated day of activity on the three sites, in the contract's schema: users browsing in sessions (entry
pages, paths, idle gaps, logouts), the shop's funnel, 5xx errors, several countries and devices.

The batch layer's end-to-end test sends one to Kafka for a day nothing else writes to (the batch benchmark is to
size the daily DAG with it). Seeded: the same arguments give the same events (ids included).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from activity_contract import names
from activity_contract.events import build_event

PLACES = (("DE", "Berlin"), ("FR", "Paris"), ("NL", "Utrecht"), ("US", "Boston"), ("IN", "Pune"), ("BR", "Recife"))
DEVICES = (("desktop", "Linux", "Firefox"), ("mobile", "Android", "Chrome"), ("tablet", "iOS", "Safari"))
NEWS_SECTIONS = ("world", "tech", "sport")
PRODUCTS, ARTICLES, COURSES, LESSONS = 40, 24, 5, 4  # the sizes of the sites' catalogs (producers/catalog)
OTHER_EVENTS = {
    names.SHOP: ("click", "search", "scroll"),
    names.NEWS: ("scroll", "share", "click"),
    names.LEARN: ("video_play", "quiz_submit", "scroll"),
}


def _item(rnd: random.Random, count: int, taste: int) -> int:
    """An item number 1..count: three times in four one of the user's taste (numbers n with n % 3 == taste), else
    any: users have interests, so items chosen together tell something (what item-based recommendations learn)."""
    if rnd.random() < 0.75:
        return rnd.choice([n for n in range(1, count + 1) if n % 3 == taste])
    return rnd.randint(1, count)


def _next_page(app: str, rnd: random.Random, page: str, taste: int) -> tuple[str, str]:
    """A (page, section) a user of this site goes to next."""
    if app == names.SHOP:
        if page.startswith("/product/") and rnd.random() < 0.35:
            return "/cart", "cart"
        if page == "/cart":
            return ("/checkout", "checkout") if rnd.random() < 0.6 else ("/", "home")
        return (f"/product/{_item(rnd, PRODUCTS, taste)}", "catalog") if rnd.random() < 0.8 else ("/", "home")
    if app == names.NEWS:
        article = _item(rnd, ARTICLES, taste)  # an article belongs to one desk, as on the news site
        return (f"/article/{article}", NEWS_SECTIONS[article % 3]) if rnd.random() < 0.85 else ("/", "home")
    return (
        (f"/course/{_item(rnd, COURSES, taste)}/lesson/{rnd.randint(1, LESSONS)}", "courses")
        if rnd.random() < 0.85
        else ("/courses", "courses")
    )


class _Session:
    """One visit: events at increasing times from `start`, within the day."""

    def __init__(
        self,
        rnd: random.Random,
        ids: random.Random,
        app: str,
        user: str,
        profile: tuple,
        taste: int,
        start: datetime,
        end: datetime,
    ):
        self.rnd, self.ids, self.app, self.user, self.profile, self.t, self.end = (
            rnd,
            ids,
            app,
            user,
            profile,
            start,
            end,
        )
        self.taste = taste
        self.sid = f"s-{uuid.UUID(int=ids.getrandbits(128)).hex[:16]}"
        self.page, self.section, self.events = "/", "home", list[dict]()

    def emit(self, event_type: str, status: int = 200, latency: float = 0.0, target: str | None = None) -> bool:
        if self.t >= self.end:
            return False
        (country, city), (device, os_name, browser) = self.profile
        self.events.append(
            build_event(
                event_type=event_type,
                app_id=self.app,
                user_id=self.user,
                session_id=self.sid,
                page=self.page,
                section=self.section,
                http_status=status,
                latency_ms=latency,
                target=target,
                country=country,
                city=city,
                device_type=device,
                os=os_name,
                browser=browser,
                user_agent=f"activity-lab-generated {browser}",
                event_time=self.t,
                event_id=str(uuid.UUID(int=self.ids.getrandbits(128), version=4)),
                validate=False,
            )
        )
        self.t += timedelta(seconds=self.rnd.uniform(2, 240))
        return True

    def view(self, page: str, section: str) -> bool:
        self.page, self.section = page, section
        status = 500 if self.rnd.random() < 0.03 else 200
        return self.emit("page_view", status, round(self.rnd.lognormvariate(3.5, 0.6), 3))

    def browse(self, pages: int) -> list[dict]:
        ok = self.view(*(("/", "home") if self.rnd.random() < 0.6 else _next_page(self.app, self.rnd, "/", self.taste)))
        for _ in range(pages - 1):
            if not ok:
                break
            if self.rnd.random() < 0.3:
                self.emit(self.rnd.choice(OTHER_EVENTS[self.app]), target=f"#e{self.rnd.randint(1, 9)}")
            if self.app == names.SHOP and self.page.startswith("/product/") and self.rnd.random() < 0.4:
                self.emit("add_to_cart", target=self.page.rsplit("/", 1)[1])
            if self.app == names.SHOP and self.page == "/checkout" and self.rnd.random() < 0.7:
                self.emit("purchase", target=f"order-{self.rnd.randint(1000, 9999)}")
            ok = self.view(*_next_page(self.app, self.rnd, self.page, self.taste))
        if ok and self.rnd.random() < 0.2:
            self.emit("logout")
        return self.events


def generate_day(
    day: date, events: int, seed: int = 1, users_per_app: int = 10, prefix: str = "gen", ids_seed: int | None = None
) -> list[dict]:
    """About `events` events (whole sessions, so a few more) on `day` (UTC) by users `<prefix>-<app>-NNN`, in time
    order. Each user keeps one country, device and taste (which items they mostly choose). `seed` draws what the users
    do, `ids_seed` (default: seed) the event and session ids: the same behaviour can be sent again with new ids."""
    rnd, ids = random.Random(seed), random.Random(seed if ids_seed is None else ids_seed)
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    users = [
        (app, f"{prefix}-{app}-{i:03d}", (rnd.choice(PLACES), rnd.choice(DEVICES)), i % 3)
        for app in names.APPS
        for i in range(users_per_app)
    ]
    out: list[dict] = []
    while len(out) < events:
        app, user, profile, taste = rnd.choice(users)
        begin = start + timedelta(seconds=rnd.uniform(0, 86_000))
        out += _Session(rnd, ids, app, user, profile, taste, begin, end).browse(rnd.randint(1, 8))
    return sorted(out, key=lambda e: (e["event_time"], e["event_id"]))
