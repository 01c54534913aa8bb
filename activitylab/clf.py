"""Parsing web-server access logs in Common and Combined Log Format, strictly.

    Common:   host ident authuser [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes
    Combined: the same + "referer" "user-agent"

A line parses only if its whole shape matches and its time is a real instant; the reason it does
not is returned, so a caller can count and report every line it leaves out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}
_QUOTED_BODY = r'(?:[^"\\]|\\.)*'   # a quoted field's content: backslash escapes allowed
_COMMON = (r'(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]*)\] '
           r'"(?P<request>[^"]*)" (?P<status>\d{3}) (?P<size>\d+|-)')
PATTERNS = {
    "common": re.compile(f"^{_COMMON}$"),
    "combined": re.compile(f'^{_COMMON} "(?P<referer>{_QUOTED_BODY})" "(?P<agent>{_QUOTED_BODY})"$'),
}
_TIME = re.compile(r"^(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$")


@dataclass(frozen=True)
class Parsed:
    time: datetime          # aware, in the line's own offset
    status: int
    request: str

    @property
    def utc_date(self) -> str:
        """The HDFS partition the line lands in: its date in UTC, like every partition of the lab."""
        return self.time.astimezone(timezone.utc).strftime("%Y-%m-%d")


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


def parse_line(line: str, fmt: str) -> Parsed:
    """One log line (no newline) in `fmt` ("common" or "combined") -> Parsed; ValueError with the reason."""
    if not line.strip():
        raise ValueError("blank line")
    m = PATTERNS[fmt].match(line)
    if not m:
        other = "combined" if fmt == "common" else "common"
        hint = f" (it is {other} format)" if PATTERNS[other].match(line) else ""
        raise ValueError(f"not {fmt} log format{hint}")
    return Parsed(parse_time(m.group("time")), int(m.group("status")), m.group("request"))
