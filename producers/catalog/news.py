"""`news`: a media site. Sections: home, one per news desk (world, business, ...), search, account."""

from __future__ import annotations

from flask import abort, render_template

from activity_contract import names
from producers.catalog import Link

APP_ID = names.NEWS
TITLE = "Lab News"
TAGLINE = "The day's stories, minus the noise."
DESKS = {
    "world": (
        "World",
        [
            "Coastal cities agree on a shared flood plan",
            "Talks resume after a week of silence",
            "A small island votes on its first constitution",
            "Rail link reopens across the border",
        ],
    ),
    "business": (
        "Business",
        [
            "Rate decision leaves markets guessing",
            "Family bakery becomes a national chain",
            "Shipping costs fall for a third month",
            "Why everyone is hiring data engineers",
        ],
    ),
    "technology": (
        "Technology",
        [
            "Open-source database hits version 10",
            "Inside the data centre that heats a town",
            "Phones get longer battery life, finally",
            "A beginner's guide to stream processing",
        ],
    ),
    "science": (
        "Science",
        [
            "Telescope spots water vapour on a distant moon",
            "Bees recognise human faces, study says",
            "Deep-sea survey finds 30 new species",
            "How old is the oldest tree?",
        ],
    ),
    "sport": (
        "Sport",
        [
            "Underdogs win the cup on penalties",
            "Marathon record falls by four seconds",
            "Youth league doubles in size",
            "The quiet rise of padel",
        ],
    ),
    "culture": (
        "Culture",
        [
            "A museum that lets you touch everything",
            "Ten films to watch this winter",
            "The novelist who writes only on trains",
            "Street food festival returns",
        ],
    ),
}
NAV = (("Home", "/"),) + tuple((label, f"/section/{d}") for d, (label, _) in DESKS.items()) + (("Search", "/search"),)
BROKEN_LINKS = ("/section/weather", "/article/0", "/archive/2019/05/election-live")

ARTICLES: dict[int, dict] = {}
for _d, (_label, _titles) in DESKS.items():
    for _title in _titles:
        _aid = len(ARTICLES) + 1
        ARTICLES[_aid] = {"id": _aid, "title": _title, "desk": _d}

SEARCH_TERMS = (
    "election",
    "market",
    "football",
    "climate",
    "museum",
    "telescope",
    "battery",
    "marathon",
    "database",
    "festival",
    "rates",
    "film",
)

_SENTENCES = (
    "Officials said the details would be published later this week.",
    "Residents we spoke to were cautiously optimistic.",
    "The numbers tell a more complicated story.",
    "Experts point out that similar attempts have failed before.",
    "For now, the plan has broad support.",
    "Critics argue the timeline is too ambitious.",
    "The change takes effect at the start of next month.",
)
ENDPOINT_SECTIONS = {"home": "home"}


def article_paths() -> list[str]:
    return [f"/article/{aid}" for aid in ARTICLES]


def desk_paths() -> list[str]:
    return [f"/section/{d}" for d in DESKS]


def _card(a: dict) -> Link:
    return Link(a["title"], f"/article/{a['id']}", DESKS[a["desk"]][0])


def searchable() -> list[Link]:
    return [_card(a) for a in ARTICLES.values()]


def section_and_target(endpoint: str, view_args: dict, args) -> tuple[str, str | None]:
    if endpoint == "article":
        a = ARTICLES.get(view_args.get("aid", -1))
        return (a["desk"] if a else "unknown"), str(view_args.get("aid"))
    if endpoint == "desk":
        name = view_args.get("name")
        return (name if name in DESKS else "unknown"), None
    return ENDPOINT_SECTIONS.get(endpoint, "unknown"), None


def register(app) -> None:
    @app.get("/", endpoint="home")
    def home():
        blocks = [
            (label, [_card(a) for a in ARTICLES.values() if a["desk"] == d][:2]) for d, (label, _) in DESKS.items()
        ]
        promo = Link("Live: election night 2019, as it happened", "/archive/2019/05/election-live", "From the archive")
        return render_template("home.html", blocks=blocks, promo=promo)

    @app.get("/section/<name>", endpoint="desk")
    def desk(name: str):
        if name not in DESKS:
            abort(404)
        label, _ = DESKS[name]
        items = [_card(a) for a in ARTICLES.values() if a["desk"] == name]
        items.append(Link("Correction to an earlier story", "/article/0", "Corrections"))
        return render_template(
            "listing.html", heading=label, intro=f"Latest from the {label.lower()} desk.", items=items
        )

    @app.get("/article/<int:aid>", endpoint="article")
    def article(aid: int):
        a = ARTICLES.get(aid) or abort(404)
        paragraphs = [_SENTENCES[(aid + i * 3) % len(_SENTENCES)] for i in range(4)]
        more = [_card(b) for b in ARTICLES.values() if b["desk"] == a["desk"] and b["id"] != aid][:3]
        more.append(Link("Weather: the week ahead", "/section/weather"))
        item = {
            "kind": "article",
            "title": a["title"],
            "meta": DESKS[a["desk"]][0],
            "paragraphs": paragraphs,
            "actions": [{"label": "Share", "track": f"share:{aid}"}, {"label": "Comments", "track": f"comments:{aid}"}],
            "links": more,
        }
        return render_template("item.html", item=item)
