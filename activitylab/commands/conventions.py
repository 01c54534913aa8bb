"""What every `lab` command does the same way: usage errors and failures on stderr (exit 2 for a usage error, 1 for a
failure), `--wait/--no-wait` for a command that starts something long, `--timeout SECONDS` for how long it waits."""

from __future__ import annotations

import argparse
import sys

USAGE, FAILED = 2, 1


def fail(command: str, message: str, code: int = USAGE) -> int:
    """Says what is wrong on stderr, prefixed with the command (`lab batch run: ...`); returns the exit status."""
    print(f"lab {command}: {message}", file=sys.stderr)
    return code


def add_wait(parser: argparse.ArgumentParser, what: str, default: bool = True) -> None:
    parser.add_argument(
        "--wait",
        action=argparse.BooleanOptionalAction,
        default=default,
        help=f"wait for {what}, printing progress (default: {'--wait' if default else '--no-wait'})",
    )


def add_timeout(parser: argparse.ArgumentParser, what: str, default: float, *aliases: str) -> None:
    parser.add_argument(
        "--timeout",
        *aliases,
        dest="timeout",
        type=float,
        default=default,
        metavar="SECONDS",
        help=f"seconds to wait for {what} (default {default:g})",
    )
