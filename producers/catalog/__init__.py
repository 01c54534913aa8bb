"""Content of the three sites: data, routes and how each route maps to a section.

Each site module (shop, news, learn) exposes the same names:
  APP_ID, TITLE, TAGLINE, NAV (label, path) pairs, BROKEN_LINKS (paths linked from pages that 404),
  SEARCH_TERMS (what simulated users type), register(app), section_and_target(endpoint, view_args, args),
  searchable() -> list[Link].
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from activity_contract import names


@dataclass(frozen=True)
class Link:
    title: str
    path: str
    summary: str = ""
    meta: str = ""


def get_site(app_id: str) -> ModuleType:
    if app_id not in names.APPS:
        raise ValueError(f"unknown site {app_id!r}")
    return importlib.import_module(f"producers.catalog.{app_id}")


def search(links: list[Link], query: str, limit: int = 20) -> list[Link]:
    words = [w for w in query.lower().split() if w]
    if not words:
        return []
    hits = [link for link in links if all(w in (link.title + " " + link.summary).lower() for w in words)]
    return hits[:limit]
