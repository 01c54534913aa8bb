"""`lab up [SERVICE...]`: docker compose up -d, saying what it waits for; then the URLs (what `make up` runs)."""

from __future__ import annotations

from .conventions import add_timeout
from .urls import run as print_urls


def register(sub) -> None:
    p = sub.add_parser(
        "up",
        help="docker compose up -d, saying what it waits for; then wait and urls (make up)",
        description="Starts the lab (or the SERVICEs) with docker compose up -d, at least as many "
        "DataNodes as hold data; says what it waits for when quiet for a minute (the "
        "NameNode's safe-mode reason included), gives up after --timeout seconds.",
    )
    p.add_argument("services", nargs="*", metavar="SERVICE")
    add_timeout(p, "every service to be healthy", 900)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..up import up

    rc = up(args.services, timeout=args.timeout)
    return rc if rc else print_urls(args)
