"""`shop`: an e-commerce site. Sections: home, catalog (categories and products), search, cart, checkout, account."""

from __future__ import annotations

from flask import abort, render_template, request

from activity_contract import names
from producers.catalog import Link

APP_ID = names.SHOP
TITLE = "Lab Shop"
TAGLINE = "Everyday things, shipped tomorrow."
NAV = (("Home", "/"), ("Catalog", "/catalog"), ("Search", "/search"), ("Cart", "/cart"), ("Account", "/account"))
BROKEN_LINKS = ("/promo/summer-2019", "/product/999", "/catalog/garden")

CATEGORIES = {
    "electronics": (
        "Electronics",
        [
            "Wireless Headphones",
            "Mechanical Keyboard",
            "27-inch 4K Monitor",
            "USB-C Hub",
            "Smart Speaker",
            "Action Camera",
            "E-Reader",
            "Portable SSD 1 TB",
        ],
    ),
    "books": (
        "Books",
        [
            "Data at Scale",
            "A Short History of Maps",
            "Cooking with Fire",
            "The Quiet Ocean",
            "Learning to Draw",
            "The Night Train",
            "Patterns of Distributed Systems",
            "Small Gardens",
        ],
    ),
    "home": (
        "Home & Kitchen",
        [
            "Cast Iron Skillet",
            "French Press",
            "Linen Bed Sheets",
            "Desk Lamp",
            "Chef's Knife",
            "Ceramic Mugs (set of 4)",
            "Air Purifier",
            "Bamboo Cutting Board",
        ],
    ),
    "sports": (
        "Sports & Outdoors",
        [
            "Trail Running Shoes",
            "Yoga Mat",
            "Two-Person Tent",
            "Bike Helmet",
            "Climbing Chalk Bag",
            "Insulated Bottle",
            "Hiking Backpack 30 L",
            "Tennis Racket",
        ],
    ),
    "toys": (
        "Toys & Games",
        [
            "Wooden Train Set",
            "1000-Piece Puzzle",
            "Strategy Board Game",
            "Building Blocks",
            "Stunt Kite",
            "Plush Fox",
            "Magic Kit",
            "Remote Control Car",
        ],
    ),
}

PRODUCTS: dict[int, dict] = {}
for _c, (_label, _names) in CATEGORIES.items():
    for _name in _names:
        _pid = len(PRODUCTS) + 1
        PRODUCTS[_pid] = {
            "id": _pid,
            "name": _name,
            "category": _c,
            "price": round(4.99 + (_pid * 37 % 190) + (_pid % 4) * 0.25, 2),
        }

SEARCH_TERMS = (
    "headphones",
    "keyboard",
    "monitor",
    "tent",
    "knife",
    "puzzle",
    "book",
    "lamp",
    "shoes",
    "gift",
    "kite",
    "coffee",
    "ssd",
    "backpack",
)

ENDPOINT_SECTIONS = {
    "home": "home",
    "catalog": "catalog",
    "category": "catalog",
    "product": "catalog",
    "cart": "cart",
    "checkout": "checkout",
    "checkout_complete": "checkout",
}


def product_paths() -> list[str]:
    return [f"/product/{pid}" for pid in PRODUCTS]


def category_paths() -> list[str]:
    return [f"/catalog/{c}" for c in CATEGORIES]


def _card(p: dict) -> Link:
    return Link(p["name"], f"/product/{p['id']}", CATEGORIES[p["category"]][0], f"${p['price']:.2f}")


def searchable() -> list[Link]:
    return [_card(p) for p in PRODUCTS.values()]


def section_and_target(endpoint: str, view_args: dict, args) -> tuple[str, str | None]:
    if endpoint == "product":
        return "catalog", str(view_args.get("pid"))
    if endpoint == "category":
        return "catalog", view_args.get("slug")
    return ENDPOINT_SECTIONS.get(endpoint, "unknown"), None


def register(app) -> None:
    @app.get("/", endpoint="home")
    def home():
        featured = [_card(PRODUCTS[pid]) for pid in (1, 10, 19, 28, 37, 5)]
        blocks = [
            ("Featured", featured),
            (
                "Shop by category",
                [
                    Link(label, f"/catalog/{c}", f"{len(products)} products")
                    for c, (label, products) in CATEGORIES.items()
                ],
            ),
        ]
        promo = Link("Summer sale: up to 50% off", "/promo/summer-2019", "Last chance!")
        return render_template("home.html", blocks=blocks, promo=promo)

    @app.get("/catalog", endpoint="catalog")
    def catalog():
        items = [
            Link(label, f"/catalog/{c}", ", ".join(products[:3]) + ", ...", f"{len(products)} products")
            for c, (label, products) in CATEGORIES.items()
        ]
        items.append(Link("Garden (coming back soon)", "/catalog/garden", "Seasonal"))
        return render_template("listing.html", heading="Catalog", intro="All departments.", items=items)

    @app.get("/catalog/<slug>", endpoint="category")
    def category(slug: str):
        if slug not in CATEGORIES:
            abort(404)
        label, _ = CATEGORIES[slug]
        items = [_card(p) for p in PRODUCTS.values() if p["category"] == slug]
        return render_template("listing.html", heading=label, intro=f"{len(items)} products", items=items)

    @app.get("/product/<int:pid>", endpoint="product")
    def product(pid: int):
        p = PRODUCTS.get(pid) or abort(404)
        related = [_card(q) for q in PRODUCTS.values() if q["category"] == p["category"] and q["id"] != pid][:3]
        related.append(Link("Recently viewed: Retro Radio (discontinued)", "/product/999"))
        item = {
            "kind": "product",
            "title": p["name"],
            "meta": f"{CATEGORIES[p['category']][0]} · ${p['price']:.2f}",
            "paragraphs": [
                f"The {p['name'].lower()} our customers keep coming back for.",
                "Free returns within 30 days. Ships in 1-2 business days.",
            ],
            "actions": [
                {"label": "Add to cart", "track": f"add-to-cart:{pid}"},
                {"label": "Save for later", "track": f"wishlist:{pid}"},
            ],
            "links": related,
        }
        return render_template("item.html", item=item)

    @app.get("/cart", endpoint="cart")
    def cart():
        ids = [int(x) for x in request.cookies.get("cart", "").split(",") if x.isdigit() and int(x) in PRODUCTS]
        lines = [PRODUCTS[i] for i in ids]
        return render_template("cart.html", lines=lines, total=sum(p["price"] for p in lines))

    @app.get("/checkout", endpoint="checkout")
    def checkout():
        return render_template("checkout.html", step="details")

    @app.get("/checkout/complete", endpoint="checkout_complete")
    def checkout_complete():
        order = request.args.get("order", "")[:40]
        return render_template("checkout.html", step="complete", order=order)
