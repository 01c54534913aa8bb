"""A day as the lab's daily partitions name it (`dt=YYYY-MM-DD`, a UTC calendar day), and the daily jobs' `--date D`
argument (Spark's, Mahout's), checked before their engine starts."""

from __future__ import annotations

import argparse
import re
from datetime import date


def parse_day(text: str) -> date:
    """YYYY-MM-DD exactly (not 2025-1-1) and a calendar date (not 2025-02-30); ValueError otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"not YYYY-MM-DD: {text!r}")
    return date.fromisoformat(text)


def day_argument(argv: list[str], description: str) -> str:
    """The `--date D` of a daily job's command line; a usage error (exit 2) for anything but a day."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--date", required=True, help="the day, YYYY-MM-DD (UTC)")
    day = parser.parse_args(argv).date
    try:
        parse_day(day)
    except ValueError:
        parser.error(f"--date must be YYYY-MM-DD, not {day!r}")
    return day
