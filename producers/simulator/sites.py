"""Navigation models of the three sites: page kinds (with the catalog's real paths), transition
weights, entry pages, dwell times and on-page events. Funnel parameters of `shop` are the
transition weights product -> cart_add (add_to_cart), cart/cart_add -> checkout, checkout -> complete (purchase).
"""

from __future__ import annotations

import random
from urllib.parse import quote_plus

from activity_contract import names
from activity_contract.names import PLAN_WEIGHTS, PLANS
from producers.catalog import learn, news, shop
from producers.simulator.model import EXIT, Activity, Context, PageKind, SiteModel

SCROLL_DEPTHS = ("25%", "50%", "75%", "100%")


def _fixed(path: str):
    return lambda rng, ctx: path


def _scroll(probability: float) -> Activity:
    return Activity("scroll", probability, lambda rng, ctx: rng.choices(SCROLL_DEPTHS, weights=(3, 4, 3, 2))[0])


def _search_kind(terms: tuple[str, ...]) -> PageKind:
    def pick(rng: random.Random, ctx: Context) -> str:
        ctx.values["query"] = rng.choice(terms)
        return f"/search?q={quote_plus(ctx.values['query'])}"

    return PageKind("search", pick, 15, (_scroll(0.3),), before=lambda rng, ctx: ("search", ctx.values["query"]))


def _profile_change(rng: random.Random, ctx: Context) -> dict[str, str]:
    """The account form as a user saves it: a plan, the newsletter box ticked or not (absent when unticked)."""
    form = {"plan": rng.choices(PLANS, weights=PLAN_WEIGHTS)[0]}
    if rng.random() < 0.4:
        form["marketing_opt_in"] = "on"
    return form


def _account_kinds() -> dict[str, PageKind]:
    return {
        "login": PageKind("login", _fixed("/login"), 20, (Activity("login", 0.9, lambda rng, ctx: "password"),)),
        "account": PageKind("account", _fixed("/account"), 15),
        # The account form posted: MariaDB's user_profiles changes (producers/accounts.py), Sqoop imports it.
        "account_save": PageKind("account_save", _fixed("/account"), 8, form=_profile_change),
        "logout": PageKind(
            "logout", _fixed("/logout"), 5, before=lambda rng, ctx: ("logout", "nav:logout"), terminal=True
        ),
    }


# ---------------------------------------------------------------------------------------------- shop


def _shop_category(rng: random.Random, ctx: Context) -> str:
    ctx.values["category"] = rng.choice(list(shop.CATEGORIES))
    return f"/catalog/{ctx.values['category']}"


def _shop_product(rng: random.Random, ctx: Context) -> str:
    category = ctx.values.get("category")
    same = [p["id"] for p in shop.PRODUCTS.values() if p["category"] == category]
    pid = rng.choice(same) if same and rng.random() < 0.7 else rng.choice(list(shop.PRODUCTS))
    ctx.values["product"] = pid
    ctx.values["category"] = shop.PRODUCTS[pid]["category"]
    return f"/product/{pid}"


def _shop_add_to_cart(rng: random.Random, ctx: Context):
    pid = ctx.values.get("product")
    if pid is None:
        return None
    ctx.cart.append(pid)
    return ("add_to_cart", str(pid))


def _shop_complete(rng: random.Random, ctx: Context) -> str:
    ctx.orders += 1
    ctx.values["order"] = f"o-{rng.getrandbits(32):08x}"
    return f"/checkout/complete?order={ctx.values['order']}"


def _shop_purchase(rng: random.Random, ctx: Context):
    ctx.cart.clear()
    return ("purchase", ctx.values["order"])


def _shop_remove(rng: random.Random, ctx: Context) -> str | None:
    return str(ctx.cart.pop()) if ctx.cart else None


SHOP = SiteModel(
    app_id=names.SHOP,
    kinds={
        "home": PageKind("home", _fixed("/"), 12, (_scroll(0.6), Activity("click", 0.15, lambda r, c: "promo-banner"))),
        "catalog": PageKind("catalog", _fixed("/catalog"), 15, (_scroll(0.4),)),
        "category": PageKind("category", _shop_category, 20, (_scroll(0.6),)),
        "product": PageKind(
            "product",
            _shop_product,
            45,
            (_scroll(0.7), Activity("click", 0.35, lambda r, c: f"image-gallery:{c.values.get('product')}")),
        ),
        "cart_add": PageKind("cart_add", _fixed("/cart"), 20, before=_shop_add_to_cart),
        "cart": PageKind("cart", _fixed("/cart"), 25, (Activity("remove_from_cart", 0.1, _shop_remove),)),
        "checkout": PageKind(
            "checkout", _fixed("/checkout"), 60, (Activity("form_submit", 0.5, lambda r, c: "checkout:address"),)
        ),
        "complete": PageKind("complete", _shop_complete, 15, before=_shop_purchase),
        "search": _search_kind(shop.SEARCH_TERMS),
        **_account_kinds(),
    },
    entry={"home": 0.45, "product": 0.25, "category": 0.12, "search": 0.10, "catalog": 0.08},
    transitions={
        "home": {
            "category": 0.30,
            "catalog": 0.12,
            "product": 0.20,
            "search": 0.12,
            "cart": 0.03,
            "login": 0.05,
            "account": 0.02,
            "logout": 0.01,
            EXIT: 0.15,
        },
        "catalog": {"category": 0.55, "product": 0.10, "search": 0.08, "home": 0.05, EXIT: 0.22},
        "category": {"product": 0.55, "category": 0.12, "search": 0.06, "home": 0.05, "cart": 0.02, EXIT: 0.20},
        "product": {
            "cart_add": 0.18,
            "product": 0.30,
            "category": 0.14,
            "search": 0.07,
            "home": 0.04,
            "cart": 0.03,
            EXIT: 0.24,
        },
        "cart_add": {"checkout": 0.45, "product": 0.20, "category": 0.10, "home": 0.05, EXIT: 0.20},
        "cart": {"checkout": 0.40, "product": 0.15, "category": 0.10, "home": 0.05, EXIT: 0.30},
        "checkout": {"complete": 0.60, "cart": 0.15, EXIT: 0.25},
        "complete": {"home": 0.35, "product": 0.10, "logout": 0.10, "account": 0.05, EXIT: 0.40},
        "search": {"product": 0.55, "search": 0.15, "category": 0.08, "home": 0.04, EXIT: 0.18},
        "login": {"account": 0.30, "home": 0.35, "product": 0.10, EXIT: 0.25},
        "account": {"home": 0.35, "product": 0.10, "logout": 0.20, "catalog": 0.10, "account_save": 0.05, EXIT: 0.25},
        "account_save": {"home": 0.40, "product": 0.10, "logout": 0.20, EXIT: 0.30},
    },
    broken_links=shop.BROKEN_LINKS,
    search_terms=shop.SEARCH_TERMS,
)


# ---------------------------------------------------------------------------------------------- news


def _news_desk(rng: random.Random, ctx: Context) -> str:
    ctx.values["desk"] = rng.choice(list(news.DESKS))
    return f"/section/{ctx.values['desk']}"


def _news_article(rng: random.Random, ctx: Context) -> str:
    desk = ctx.values.get("desk")
    same = [a["id"] for a in news.ARTICLES.values() if a["desk"] == desk]
    aid = rng.choice(same) if same and rng.random() < 0.6 else rng.choice(list(news.ARTICLES))
    ctx.values["article"] = aid
    ctx.values["desk"] = news.ARTICLES[aid]["desk"]
    return f"/article/{aid}"


NEWS = SiteModel(
    app_id=names.NEWS,
    kinds={
        "home": PageKind("home", _fixed("/"), 20, (_scroll(0.7),)),
        "desk": PageKind("desk", _news_desk, 25, (_scroll(0.6),)),
        "article": PageKind(
            "article",
            _news_article,
            100,
            (
                _scroll(0.85),
                Activity(
                    "share",
                    0.05,
                    lambda r, c: f"share:{c.values.get('article')}:{r.choice(('x', 'facebook', 'email'))}",
                ),
                Activity("click", 0.15, lambda r, c: f"comments:{c.values.get('article')}"),
            ),
        ),
        "search": _search_kind(news.SEARCH_TERMS),
        **_account_kinds(),
    },
    entry={"home": 0.40, "article": 0.45, "desk": 0.10, "search": 0.05},
    transitions={
        "home": {"article": 0.45, "desk": 0.20, "search": 0.08, "login": 0.03, "account": 0.02, EXIT: 0.22},
        "desk": {"article": 0.55, "desk": 0.12, "home": 0.06, "search": 0.05, EXIT: 0.22},
        "article": {"article": 0.35, "desk": 0.12, "home": 0.10, "search": 0.05, "logout": 0.02, EXIT: 0.36},
        "search": {"article": 0.60, "search": 0.10, "home": 0.05, EXIT: 0.25},
        "login": {"home": 0.50, "article": 0.20, "account": 0.10, EXIT: 0.20},
        "account": {"home": 0.40, "logout": 0.25, "article": 0.10, "account_save": 0.05, EXIT: 0.25},
        "account_save": {"home": 0.40, "logout": 0.25, "article": 0.10, EXIT: 0.25},
    },
    broken_links=news.BROKEN_LINKS,
    search_terms=news.SEARCH_TERMS,
)


# ---------------------------------------------------------------------------------------------- learn


def _learn_course(rng: random.Random, ctx: Context) -> str:
    ctx.values["course"] = rng.choice(list(learn.COURSES))
    ctx.values["lesson"] = 0
    return f"/course/{ctx.values['course']}"


def _learn_lesson(rng: random.Random, ctx: Context) -> str:
    course = ctx.values.get("course") or rng.choice(list(learn.COURSES))
    previous = ctx.values.get("lesson", 0)
    if previous < learn.LESSONS_PER_COURSE and rng.random() < 0.8:
        n = previous + 1  # most learners go on to the next lesson
    else:
        n = rng.randint(1, learn.LESSONS_PER_COURSE)
    ctx.values.update(course=course, lesson=n)
    return f"/course/{course}/lesson/{n}"


def _learn_quiz(rng: random.Random, ctx: Context) -> str:
    course = ctx.values.get("course") or rng.choice(list(learn.COURSES))
    ctx.values["course"] = course
    return f"/course/{course}/quiz"


def _learn_thread(rng: random.Random, ctx: Context) -> str:
    ctx.values["thread"] = rng.choice(list(learn.THREADS))
    return f"/forum/thread/{ctx.values['thread']}"


LEARN = SiteModel(
    app_id=names.LEARN,
    kinds={
        "home": PageKind("home", _fixed("/"), 15, (_scroll(0.5),)),
        "courses": PageKind("courses", _fixed("/courses"), 20, (_scroll(0.5),)),
        "course": PageKind("course", _learn_course, 30, (_scroll(0.4),)),
        "lesson": PageKind(
            "lesson",
            _learn_lesson,
            240,
            (
                Activity("video_play", 0.75, lambda r, c: f"video:{c.values.get('course')}/{c.values.get('lesson')}"),
                _scroll(0.4),
            ),
        ),
        "quiz": PageKind(
            "quiz",
            _learn_quiz,
            180,
            (
                Activity(
                    "quiz_submit", 0.7, lambda r, c: f"quiz:{c.values.get('course')}:score={r.randrange(40, 101, 10)}"
                ),
            ),
        ),
        "forum": PageKind("forum", _fixed("/forum"), 25, (_scroll(0.5),)),
        "thread": PageKind(
            "thread",
            _learn_thread,
            60,
            (_scroll(0.5), Activity("form_submit", 0.12, lambda r, c: f"reply:{c.values.get('thread')}")),
        ),
        "search": _search_kind(learn.SEARCH_TERMS),
        **_account_kinds(),
    },
    entry={"home": 0.40, "course": 0.25, "lesson": 0.15, "forum": 0.10, "courses": 0.10},
    transitions={
        "home": {
            "courses": 0.25,
            "course": 0.25,
            "forum": 0.10,
            "login": 0.10,
            "search": 0.05,
            "account": 0.05,
            EXIT: 0.20,
        },
        "courses": {"course": 0.65, "home": 0.05, "search": 0.05, EXIT: 0.25},
        "course": {"lesson": 0.60, "quiz": 0.08, "courses": 0.08, "forum": 0.04, EXIT: 0.20},
        "lesson": {"lesson": 0.50, "quiz": 0.10, "course": 0.10, "forum": 0.05, EXIT: 0.25},
        "quiz": {"course": 0.25, "courses": 0.15, "forum": 0.10, "home": 0.10, "logout": 0.10, EXIT: 0.30},
        "forum": {"thread": 0.60, "forum": 0.08, "home": 0.05, EXIT: 0.27},
        "thread": {"thread": 0.30, "forum": 0.25, "lesson": 0.05, "logout": 0.05, EXIT: 0.35},
        "search": {"course": 0.40, "lesson": 0.25, "thread": 0.10, EXIT: 0.25},
        "login": {"account": 0.30, "home": 0.30, "course": 0.20, EXIT: 0.20},
        "account": {"course": 0.40, "home": 0.15, "logout": 0.20, "account_save": 0.05, EXIT: 0.25},
        "account_save": {"course": 0.40, "home": 0.15, "logout": 0.20, EXIT: 0.25},
    },
    broken_links=learn.BROKEN_LINKS,
    search_terms=learn.SEARCH_TERMS,
)

MODELS = {names.SHOP: SHOP, names.NEWS: NEWS, names.LEARN: LEARN}
for _model in MODELS.values():
    _model.validate()


def site_model(app_id: str) -> SiteModel:
    return MODELS[app_id]
