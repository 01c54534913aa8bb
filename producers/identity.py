"""Who made a request: the simulator's X-Lab-* headers, else the lab cookies, else a new anonymous id.

Header values that would make an invalid event are ignored (fallback), never a 400: a page
request must always be served and counted.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

H_USER = "X-Lab-User"
H_SESSION = "X-Lab-Session"
H_COUNTRY = "X-Lab-Country"
H_CITY = "X-Lab-City"
H_DEVICE = "X-Lab-Device"
H_OS = "X-Lab-OS"
H_BROWSER = "X-Lab-Browser"
COOKIE_USER = "lab_uid"
COOKIE_SESSION = "lab_sid"
UNKNOWN_COUNTRY = "ZZ"  # CLDR's "unknown region"; still a valid alpha-2 shape
DEVICE_TYPES = ("desktop", "mobile", "tablet")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
_COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True)
class Identity:
    user_id: str
    session_id: str
    country: str
    city: str
    device_type: str
    os: str
    browser: str
    user_agent: str
    from_headers: bool  # True: the client manages ids (simulator, tests); False: the lab cookies do


def resolve_identity(headers: Mapping[str, str], cookies: Mapping[str, str]) -> Identity:
    user_agent = (headers.get("User-Agent") or "").strip()[:1024] or "-"
    ua_type, ua_os, ua_browser = parse_user_agent(user_agent)
    header_user = valid_id(headers.get(H_USER))
    if header_user:
        user_id = header_user
        session_id = valid_id(headers.get(H_SESSION)) or f"{header_user}-nosession"
    else:
        user_id = valid_id(cookies.get(COOKIE_USER)) or f"anon-{uuid.uuid4().hex[:16]}"
        session_id = valid_id(cookies.get(COOKIE_SESSION)) or uuid.uuid4().hex
    country = (headers.get(H_COUNTRY) or "").strip()
    device = (headers.get(H_DEVICE) or "").strip().lower()
    return Identity(
        user_id=user_id,
        session_id=session_id,
        country=country.upper() if _COUNTRY_RE.match(country) else UNKNOWN_COUNTRY,
        city=_text(headers.get(H_CITY), 128) or "Unknown",
        device_type=device if device in DEVICE_TYPES else ua_type,
        os=_text(headers.get(H_OS), 64) or ua_os,
        browser=_text(headers.get(H_BROWSER), 64) or ua_browser,
        user_agent=user_agent,
        from_headers=bool(header_user),
    )


def valid_id(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if _ID_RE.match(value) else None


def _text(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def parse_user_agent(ua: str) -> tuple[str, str, str]:
    """(device type, os, browser) from a user-agent string; coarse, for visitors without X-Lab headers."""
    if "iPad" in ua or "Tablet" in ua or ("Android" in ua and "Mobile" not in ua):
        device = "tablet"
    elif "Mobi" in ua or "iPhone" in ua or "Android" in ua:
        device = "mobile"
    else:
        device = "desktop"
    if "Windows" in ua:
        os_name = "Windows"
    elif "iPhone" in ua or "iPad" in ua:
        os_name = "iOS"
    elif "Android" in ua:
        os_name = "Android"
    elif "CrOS" in ua:
        os_name = "Chrome OS"
    elif "Mac OS X" in ua or "Macintosh" in ua:
        os_name = "Mac OS X"
    elif "Linux" in ua:
        os_name = "Linux"
    else:
        os_name = "Other"
    if "Edg" in ua:
        browser = "Edge"
    elif "OPR/" in ua:
        browser = "Opera"
    elif "SamsungBrowser" in ua:
        browser = "Samsung Internet"
    elif "Firefox/" in ua or "FxiOS" in ua:
        browser = "Firefox"
    elif "Chrome/" in ua or "CriOS" in ua:
        browser = "Chrome"
    elif "Safari/" in ua:
        browser = "Safari"
    else:
        browser = ua.split("/", 1)[0][:64] if "/" in ua else "Other"
    return device, os_name, browser or "Other"
