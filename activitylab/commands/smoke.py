"""`lab smoke`: one real check per component, human-readable."""

from __future__ import annotations


def register(sub) -> None:
    sub.add_parser("smoke", help="one real check per component, human-readable").set_defaults(func=run)


def run(_args) -> int:
    from ..smoke import smoke

    return smoke()
