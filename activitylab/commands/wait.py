"""`lab wait`: until every service is healthy."""

from __future__ import annotations

import os

from .conventions import add_timeout


def register(sub) -> None:
    p = sub.add_parser("wait", help="wait until every service is healthy")
    add_timeout(p, "every service to be healthy (LAB_WAIT_TIMEOUT)", float(os.environ.get("LAB_WAIT_TIMEOUT", "900")))
    p.set_defaults(func=run)


def run(args) -> int:
    from ..wait import wait

    return wait(timeout=args.timeout)
