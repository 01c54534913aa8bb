"""Parsing web-server access logs: the Common Log Format family, as log analyzers name its variants.

    common     host ident authuser [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes
    combined   common + "referer" "user-agent", then any extra fields (quoted or not: X-Forwarded-For,
               request time, upstream time, ...), as nginx and Apache configurations often append
    vcommon    virtual host (optionally :port) first, then common
    vcombined  virtual host (optionally :port) first, then combined (with any extra fields)

A request is whatever the quotes hold ("GET /path HTTP/1.0", "GET /path" as in the 1995 NASA logs, or
garbage a scanner sent); quoted fields may hold backslash-escaped quotes; hosts may be names, IPv4 or IPv6.
A line parses only if its whole shape matches and its time is a real instant; the reason it does not is
returned, so a caller can count and report every line it leaves out. `detect` picks the format of a file
from its first lines and says why. docs/access-log-formats.md lists the formats with an example line each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import overload

MONTHS = {
    m: i
    for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)
}
_QUOTED = r'(?:[^"\\]|\\.)*'  # a quoted field's content: backslash escapes allowed
_COMMON = (
    r"(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]*)\] "
    rf'"(?P<request>{_QUOTED})" (?P<status>\d{{3}}) (?P<size>\d+|-)'
)
_REFERER_AGENT = rf' "(?P<referer>{_QUOTED})" "(?P<agent>{_QUOTED})"'
_EXTRAS = rf'(?P<extras>(?: (?:"{_QUOTED}"|[^\s"]\S*))*)'  # each extra: a quoted field or one word
_VHOST = r"(?P<vhost>\S+) "
PATTERNS = {
    "common": re.compile(f"^{_COMMON}$"),
    "combined": re.compile(f"^{_COMMON}{_REFERER_AGENT}{_EXTRAS}$"),
    "vcommon": re.compile(f"^{_VHOST}{_COMMON}$"),
    "vcombined": re.compile(f"^{_VHOST}{_COMMON}{_REFERER_AGENT}{_EXTRAS}$"),
}
FORMATS = tuple(PATTERNS)
EXAMPLES = {
    "common": '199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245',
    "combined": '203.0.113.7 - - [10/Oct/2026:13:55:36 +0200] "GET /cart HTTP/1.1" 200 2326 '
    '"https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)" "198.51.100.4" 0.012',
    "vcommon": 'shop.example:443 203.0.113.7 - - [10/Oct/2026:13:55:36 +0200] "GET /cart HTTP/1.1" 200 2326',
    "vcombined": 'shop.example:443 203.0.113.7 - - [10/Oct/2026:13:55:36 +0200] "GET /cart HTTP/1.1" 200 2326 '
    '"https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)"',
}
DETECT_LINES = 50  # how many non-blank lines `detect` looks at
_TIME = re.compile(r"^(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$")
_EXTRA_FIELD = re.compile(rf'"{_QUOTED}"|\S+')


@dataclass(frozen=True)
class Parsed:
    time: datetime  # aware, in the line's own offset
    status: int
    request: str
    host: str = "-"
    user: str = "-"  # the authenticated user (the sites log their user id there)
    vhost: str | None = None
    size: int | None = None
    referer: str | None = None
    agent: str | None = None
    extras: tuple[str, ...] = ()  # the fields after the user agent, as written (quotes kept)

    @property
    def utc_date(self) -> str:
        """The HDFS partition the line lands in: its date in UTC, like every partition of the lab."""
        return self.time.astimezone(UTC).strftime("%Y-%m-%d")

    @property
    def method(self) -> str | None:
        parts = self.request.split(" ")
        return parts[0] if len(parts) in (2, 3) else None

    @property
    def path(self) -> str | None:
        parts = self.request.split(" ")
        return parts[1] if len(parts) in (2, 3) else None

    @property
    def protocol(self) -> str | None:
        parts = self.request.split(" ")
        return parts[2] if len(parts) == 3 else None


def parse_time(text: str) -> datetime:
    """`01/Jul/1995:00:00:01 -0400` -> an aware datetime; ValueError naming what is wrong."""
    m = _TIME.match(text)
    if not m:
        raise ValueError(f"time {text!r} is not dd/Mon/yyyy:HH:MM:SS +zzzz")
    day, month, year, hh, mm, ss, sign, oh, om = m.groups()
    if month not in MONTHS:
        raise ValueError(f"unknown month {month!r}")
    offset = timedelta(hours=int(oh), minutes=int(om))
    if offset > timedelta(hours=18) or int(om) >= 60:  # the range Java's ZoneOffset (Flume) accepts
        raise ValueError(f"offset {sign}{oh}{om} out of range")
    tz = timezone(offset if sign == "+" else -offset)
    try:
        return datetime(int(year), MONTHS[month], int(day), int(hh), int(mm), int(ss), tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"time {text!r}: {exc}") from None


@overload
def _unquote(text: str) -> str: ...
@overload
def _unquote(text: str | None) -> str | None: ...
def _unquote(text: str | None) -> str | None:
    """Apache's escapes of a quote and a backslash undone; others (nginx's `\\x22`) kept as written."""
    return None if text is None else re.sub(r'\\(["\\])', r"\1", text)


def parse_line(line: str, fmt: str) -> Parsed:
    """One log line (no newline) in `fmt` (one of FORMATS) -> Parsed; ValueError with the reason."""
    if not line.strip():
        raise ValueError("blank line")
    m = PATTERNS[fmt].match(line)
    if not m:
        others = [other for other in FORMATS if other != fmt and PATTERNS[other].match(line)]
        raise ValueError(f"not {fmt} log format" + (f" (it is {others[0]} format)" if others else ""))
    fields = m.groupdict()
    size = fields["size"]
    return Parsed(
        parse_time(fields["time"]),
        int(fields["status"]),
        _unquote(fields["request"]),
        host=fields["host"],
        user=fields["user"],
        vhost=fields.get("vhost"),
        size=None if size == "-" else int(size),
        referer=_unquote(fields.get("referer")),
        agent=_unquote(fields.get("agent")),
        extras=tuple(_EXTRA_FIELD.findall(fields.get("extras") or "")),
    )


@dataclass(frozen=True)
class Detection:
    format: str | None  # None: no format parses any of the lines looked at
    looked_at: int  # non-blank lines looked at
    parsed: dict  # {format: lines of those it parses}
    extras: int  # of the chosen format's lines, how many carry extra fields

    def reason(self) -> str:
        counts = ", ".join(f"{fmt} {n}" for fmt, n in self.parsed.items())
        if self.format is None:
            return f"none of the formats parses any of the first {self.looked_at} lines ({counts})"
        extra = f"; {self.extras} with extra fields after the user agent" if self.extras else ""
        return (
            f"{self.parsed[self.format]} of the first {self.looked_at} lines parse as {self.format}{extra} "
            f"(lines parsed by each format: {counts})"
        )


def detect(lines) -> Detection:
    """The format that parses the most of the first DETECT_LINES non-blank lines; on a tie the earlier in
    FORMATS. The shapes exclude each other (one field more or less before the time, two quoted fields more or
    less after the size), so a tie only happens when no format parses a line."""
    sample = []
    for line in lines:
        if line.strip():
            sample.append(line)
            if len(sample) == DETECT_LINES:
                break
    parsed, extras = {}, {}
    for fmt in FORMATS:
        ok = []
        for line in sample:
            try:
                ok.append(parse_line(line, fmt))
            except ValueError:
                pass
        parsed[fmt], extras[fmt] = len(ok), sum(bool(p.extras) for p in ok)
    best = max(FORMATS, key=lambda fmt: parsed[fmt])
    chosen = best if parsed[best] else None
    return Detection(chosen, len(sample), parsed, extras[chosen] if chosen else 0)
