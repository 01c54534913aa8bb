"""The daily tables, computed in plain Python from a day's events: the independent computation the batch layer's
end-to-end tests compare Hive with. Definitions: docs/metrics.md (kept in step with spark_jobs/daily_etl.py).

Each function takes the contract's event dicts of one day (any order, possibly repeated) and returns rows keyed
like the Hive table.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from activity_contract import names
from activity_contract.events import parse_event_time

SESSION_GAP_S = 30 * 60
# The shop's funnel: (step, does this event reach it)
FUNNEL = (
    ("product", lambda e: e["event_type"] == "page_view" and e["page"].startswith("/product/")),
    ("add_to_cart", lambda e: e["event_type"] == "add_to_cart"),
    ("checkout", lambda e: e["event_type"] == "page_view" and e["page"] == "/checkout"),
    ("purchase", lambda e: e["event_type"] == "purchase"),
)


def dedupe(events):
    """Each event_id once (the first seen), ordered by (event_time, event_id): the batch's order too."""
    seen = {}
    for e in events:
        seen.setdefault(e["event_id"], e)
    return sorted(seen.values(), key=lambda e: (e["event_time"], e["event_id"]))


def percentile(values, p):
    """Linear interpolation between the two nearest ranks (Spark's and Hive's exact `percentile`, numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = p * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Session:
    app_id: str
    user_id: str
    events: list = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return parse_event_time(self.events[0]["event_time"])

    @property
    def end(self) -> datetime:
        return parse_event_time(self.events[-1]["event_time"])

    @property
    def views(self) -> list:
        return [e for e in self.events if e["event_type"] == "page_view"]


def sessions(events):
    """Per (app_id, user_id): a new session at the first event, after more than 30 minutes without an event, and
    after a logout (the logout is the session's last event)."""
    by_user = defaultdict(list)
    for e in dedupe(events):
        by_user[(e["app_id"], e["user_id"])].append(e)
    out = []
    for (app, user), evs in sorted(by_user.items()):
        current, last_time = None, None
        for e in evs:
            t = parse_event_time(e["event_time"])
            if current is None or (t - last_time).total_seconds() > SESSION_GAP_S:
                current = Session(app, user)
                out.append(current)
            current.events.append(e)
            last_time = t
            if e["event_type"] == "logout":
                current = None
    return out


def page_stats(events):
    """(app_id, page) -> views, unique_users, avg_latency_ms, p95_latency_ms, errors (views answered 5xx),
    entries and exits (sessions whose first / last page view it was)."""
    views = defaultdict(list)
    for e in dedupe(events):
        if e["event_type"] == "page_view":
            views[(e["app_id"], e["page"])].append(e)
    entries, exits = Counter(), Counter()
    for s in sessions(events):
        if s.views:
            entries[(s.app_id, s.views[0]["page"])] += 1
            exits[(s.app_id, s.views[-1]["page"])] += 1
    out = {}
    for key, evs in views.items():
        latencies = [e["latency_ms"] for e in evs]
        out[key] = {
            "views": len(evs),
            "unique_users": len({e["user_id"] for e in evs}),
            "avg_latency_ms": sum(latencies) / len(latencies),
            "p95_latency_ms": percentile(latencies, 0.95),
            "errors": sum(1 for e in evs if e["http_status"] >= 500),
            "entries": entries[key],
            "exits": exits[key],
        }
    return out


def section_engagement(events):
    """(app_id, section) -> events, page_views, unique_users, avg_time_on_page_s (the gap from a page view to the
    next one in its session; a session's last page view has none)."""
    rows = defaultdict(lambda: {"events": 0, "page_views": 0, "users": set(), "times": []})
    for e in dedupe(events):
        r = rows[(e["app_id"], e["section"])]
        r["events"] += 1
        r["page_views"] += e["event_type"] == "page_view"
        r["users"].add(e["user_id"])
    for s in sessions(events):
        for view, following in pairwise(s.views):
            gap = parse_event_time(following["event_time"]) - parse_event_time(view["event_time"])
            rows[(s.app_id, view["section"])]["times"].append(gap.total_seconds())
    return {
        key: {
            "events": r["events"],
            "page_views": r["page_views"],
            "unique_users": len(r["users"]),
            "avg_time_on_page_s": sum(r["times"]) / len(r["times"]) if r["times"] else None,
        }
        for key, r in rows.items()
    }


def navigation_paths(events):
    """(app_id, from_page, to_page) -> transitions: consecutive page views within a session."""
    out = Counter()
    for s in sessions(events):
        for a, b in pairwise(s.views):
            out[(s.app_id, a["page"], b["page"])] += 1
    return dict(out)


def geo_traffic(events):
    """(app_id, country, city) -> events, page_views, unique_users."""
    rows = defaultdict(lambda: {"events": 0, "page_views": 0, "users": set()})
    for e in dedupe(events):
        r = rows[(e["app_id"], e["geo"]["country"], e["geo"]["city"])]
        r["events"] += 1
        r["page_views"] += e["event_type"] == "page_view"
        r["users"].add(e["user_id"])
    return {
        k: {"events": r["events"], "page_views": r["page_views"], "unique_users": len(r["users"])}
        for k, r in rows.items()
    }


def session_summary(events):
    """app_id -> sessions, bounce_rate (sessions with exactly one page view), avg_duration_s (first to last event),
    pages_per_session, top_entry_page and top_exit_page (most sessions; ties: the smallest path)."""
    by_app = defaultdict(list)
    for s in sessions(events):
        by_app[s.app_id].append(s)
    out = {}
    for app, ss in by_app.items():
        entries = Counter(s.views[0]["page"] for s in ss if s.views)
        exits = Counter(s.views[-1]["page"] for s in ss if s.views)
        top = lambda c: min(c, key=lambda p: (-c[p], p)) if c else None  # noqa: E731
        out[app] = {
            "sessions": len(ss),
            "bounce_rate": sum(len(s.views) == 1 for s in ss) / len(ss),
            "avg_duration_s": sum((s.end - s.start).total_seconds() for s in ss) / len(ss),
            "pages_per_session": sum(len(s.views) for s in ss) / len(ss),
            "top_entry_page": top(entries),
            "top_exit_page": top(exits),
        }
    return out


def funnel(events, app_id="shop"):
    """step -> sessions that reached it after every earlier step, in order (product page view -> add_to_cart ->
    checkout page view -> purchase)."""
    reached = Counter()
    for s in sessions(events):
        if s.app_id != app_id:
            continue
        step = 0
        for e in s.events:
            name, reaches = FUNNEL[step]
            if reaches(e):
                reached[name] += 1
                step += 1
                if step == len(FUNNEL):
                    break
    return {name: reached[name] for name, _ in FUNNEL}


def profile_activity(events, profiles):
    """(app_id, plan, signup country) of the user's profile ('unknown' for both without one) -> active_users,
    events, page_views, purchases, buyers, errors, events_abroad (events from a country other than the profile's).
    `profiles`: {user_id: {"plan": ..., "country": ...}}."""
    rows = defaultdict(
        lambda: {
            "users": set(),
            "events": 0,
            "page_views": 0,
            "purchases": 0,
            "buyers": set(),
            "errors": 0,
            "events_abroad": 0,
        }
    )
    for e in dedupe(events):
        profile = profiles.get(e["user_id"])
        r = rows[(e["app_id"], *((profile["plan"], profile["country"]) if profile else ("unknown", "unknown")))]
        r["users"].add(e["user_id"])
        r["events"] += 1
        r["page_views"] += e["event_type"] == "page_view"
        if e["event_type"] == "purchase":
            r["purchases"] += 1
            r["buyers"].add(e["user_id"])
        r["errors"] += e["http_status"] >= 500
        r["events_abroad"] += bool(profile) and e["geo"]["country"] != profile["country"]
    return {
        k: {
            "active_users": len(r["users"]),
            "events": r["events"],
            "page_views": r["page_views"],
            "purchases": r["purchases"],
            "buyers": len(r["buyers"]),
            "errors": r["errors"],
            "events_abroad": r["events_abroad"],
        }
        for k, r in rows.items()
    }


ITEM_PAGE = re.compile(names.RECOMMENDABLE_PAGE)


def preferences(events, first_chosen=None):
    """{(app_id, user_id): {page: preference}} over the catalog items: the strongest of viewed, added to the cart,
    and bought (added to the cart in a session with a purchase at that time or later). `first_chosen`, a dict, gets
    {(app_id, user_id, page): the time first chosen}."""
    prefs = defaultdict(dict)
    first = {} if first_chosen is None else first_chosen
    for s in sessions(events):
        purchases = [parse_event_time(e["event_time"]) for e in s.events if e["event_type"] == "purchase"]
        for e in s.events:
            if not ITEM_PAGE.match(e["page"]):
                continue
            if e["event_type"] == "page_view":
                level = "viewed"
            elif e["event_type"] == "add_to_cart":
                t = parse_event_time(e["event_time"])
                level = "bought" if any(p >= t for p in purchases) else "added_to_cart"
            else:
                continue
            chosen = prefs[(s.app_id, s.user_id)]
            chosen[e["page"]] = max(chosen.get(e["page"], 0), names.PREFERENCE[level])
            t = parse_event_time(e["event_time"])
            key = (s.app_id, s.user_id, e["page"])
            first[key] = min(first.get(key, t), t)
    return dict(prefs)


def held_out_split(events, evaluated_from=5, share=0.2):
    """The recommendations' held-out split: (the preferences without the held-out items, {(app_id, user_id): the
    held-out pages}); a user with at least `evaluated_from` items has the latest `share` of them (rounded up, by the
    time first chosen, ties: the larger page) held out."""
    first = {}
    prefs = preferences(events, first)
    train, held = {}, {}
    for (app, user), pages in prefs.items():
        latest = sorted(pages, key=lambda p: (first[(app, user, p)], p), reverse=True)
        out = set(latest[: math.ceil(len(pages) * share)]) if len(pages) >= evaluated_from else set()
        train[(app, user)] = {p: v for p, v in pages.items() if p not in out}
        if out:
            held[(app, user)] = out
    return train, held


def user_features(events):
    """{(app_id, user_id): {events, page_views, sessions, purchases, items}} of every user active that day."""
    out = {}
    for s in sessions(events):
        f = out.setdefault(
            (s.app_id, s.user_id), {"events": 0, "page_views": 0, "sessions": 0, "purchases": 0, "items": set()}
        )
        f["events"] += len(s.events)
        f["page_views"] += len(s.views)
        f["sessions"] += 1
        f["purchases"] += sum(e["event_type"] == "purchase" for e in s.events)
        f["items"] |= {e["page"] for e in s.views if ITEM_PAGE.match(e["page"])}
    return {k: {**f, "items": len(f["items"])} for k, f in out.items()}
