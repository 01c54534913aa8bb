"""`lab status`: every service with its health and URL, Storm from Nimbus."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("status", help="every service with its health and URL, Storm from Nimbus")
    p.add_argument("--no-storm", action="store_true", help="skip the Nimbus query")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..status import status

    return status(storm=not args.no_storm)
