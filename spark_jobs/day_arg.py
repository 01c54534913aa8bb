"""The `--date D` argument of the daily jobs (one UTC day, YYYY-MM-DD), checked before Spark starts."""

from __future__ import annotations

import argparse
import re
from datetime import date


def parse_day(argv: list[str], description: str) -> str:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--date", required=True, help="the day, YYYY-MM-DD (UTC)")
    day = parser.parse_args(argv).date
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise ValueError(day)
        date.fromisoformat(day)  # a calendar date: not 2025-02-30
    except ValueError:
        parser.error(f"--date must be YYYY-MM-DD, not {day!r}")
    return day
