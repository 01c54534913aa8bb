"""Stable identities of the simulated users: `shop-u01`... each with a home city, a device and a
real user-agent string. Derived from (app_id, index) only, not from SIM_SEED, so a user keeps its
identity across restarts and seeds.

User agents come from the fake-useragent package's bundled data file (read directly: no network);
if that package is missing, from a short curated list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from activity_contract import names
from producers.identity import H_BROWSER, H_CITY, H_COUNTRY, H_DEVICE, H_OS, H_USER

CITIES = (  # (country, city, weight)
    ("US", "New York", 6),
    ("US", "San Francisco", 3),
    ("US", "Chicago", 3),
    ("US", "Austin", 2),
    ("GB", "London", 4),
    ("GB", "Manchester", 2),
    ("DE", "Berlin", 3),
    ("DE", "Munich", 2),
    ("FR", "Paris", 3),
    ("FR", "Lyon", 1),
    ("IN", "Bengaluru", 3),
    ("IN", "Mumbai", 3),
    ("BR", "São Paulo", 3),
    ("JP", "Tokyo", 3),
    ("CA", "Toronto", 2),
    ("AU", "Sydney", 2),
    ("NL", "Amsterdam", 2),
    ("ES", "Madrid", 2),
    ("IT", "Milan", 1),
    ("NG", "Lagos", 2),
    ("KE", "Nairobi", 1),
    ("MX", "Mexico City", 2),
    ("KR", "Seoul", 2),
    ("SG", "Singapore", 1),
    ("SE", "Stockholm", 1),
    ("PL", "Warsaw", 1),
    ("ZA", "Cape Town", 1),
)
DEVICE_WEIGHTS = {"desktop": 5, "mobile": 4, "tablet": 1}
BROWSERS = {
    "Chrome",
    "Chrome Mobile",
    "Chrome Mobile iOS",
    "Mobile Safari",
    "Safari",
    "Firefox",
    "Firefox Mobile",
    "Firefox iOS",
    "Edge",
    "Edge Mobile",
    "Samsung Internet",
    "Opera",
}
# Documentation address blocks (RFC 5737): look real in logs, route nowhere.
IP_PREFIX = {names.SHOP: "198.51.100", names.NEWS: "203.0.113", names.LEARN: "192.0.2"}

FALLBACK_AGENTS = (  # (type, os, browser, user agent)
    (
        "desktop",
        "Windows",
        "Chrome",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
    (
        "desktop",
        "Mac OS X",
        "Safari",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    ),
    (
        "desktop",
        "Windows",
        "Firefox",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    ),
    (
        "desktop",
        "Linux",
        "Chrome",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
    (
        "desktop",
        "Windows",
        "Edge",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    ),
    (
        "mobile",
        "iOS",
        "Mobile Safari",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    ),
    (
        "mobile",
        "Android",
        "Chrome Mobile",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    ),
    (
        "mobile",
        "Android",
        "Samsung Internet",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    ),
    (
        "tablet",
        "iOS",
        "Mobile Safari",
        "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    ),
    (
        "tablet",
        "Android",
        "Chrome",
        "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    ),
)


@dataclass(frozen=True)
class SimUser:
    app_id: str
    index: int
    user_id: str
    country: str
    city: str
    device_type: str
    os: str
    browser: str
    user_agent: str
    ip: str

    def headers(self) -> dict[str, str]:
        """What this user's browser sends on every request: its user agent, identity and address."""
        return {
            "User-Agent": self.user_agent,
            H_USER: self.user_id,
            H_COUNTRY: self.country,
            H_CITY: self.city,
            H_DEVICE: self.device_type,
            H_OS: self.os,
            H_BROWSER: self.browser,
            "X-Forwarded-For": self.ip,
        }


def user_id(app_id: str, index: int) -> str:
    return f"{app_id}-u{index:02d}"


@lru_cache(maxsize=1)
def agent_pool() -> dict[str, list[tuple[str, str, str]]]:
    """(os, browser, user agent) per device type, sorted so the same data gives the same picks."""
    pool: dict[str, set[tuple[str, str, str]]] = {t: set() for t in DEVICE_WEIGHTS}
    try:
        from fake_useragent.utils import load

        for row in load():
            kind, os_name, browser, agent = row.get("type"), row.get("os"), row.get("browser"), row.get("useragent")
            if kind in pool and browser in BROWSERS and os_name and agent:
                pool[kind].add((os_name, browser, agent))
    except Exception:
        pass
    for device_type, os_name, browser, ua in FALLBACK_AGENTS:
        if not pool[device_type]:
            pool[device_type].add((os_name, browser, ua))
    if any(len(v) < 2 for v in pool.values()):  # partial data: fall back wholesale for stable choices
        pool = {t: {(o, b, u) for d, o, b, u in FALLBACK_AGENTS if d == t} for t in DEVICE_WEIGHTS}
    return {t: sorted(v) for t, v in pool.items()}


def make_user(app_id: str, index: int) -> SimUser:
    rng = random.Random(f"identity:{app_id}:{index}")
    country, city, _ = rng.choices(CITIES, weights=[w for *_, w in CITIES])[0]
    device_type = rng.choices(list(DEVICE_WEIGHTS), weights=list(DEVICE_WEIGHTS.values()))[0]
    os_name, browser, ua = rng.choice(agent_pool()[device_type])
    return SimUser(
        app_id=app_id,
        index=index,
        user_id=user_id(app_id, index),
        country=country,
        city=city,
        device_type=device_type,
        os=os_name,
        browser=browser,
        user_agent=ua,
        ip=f"{IP_PREFIX[app_id]}.{index % 254 + 1}",
    )
