"""`lab urls`: what to open from this machine."""

from __future__ import annotations


def register(sub) -> None:
    sub.add_parser("urls", help="print what to open from this machine").set_defaults(func=run)


def run(_args) -> int:
    from ..compose import containers
    from ..services import SERVICES

    present = {c.service for c in containers()}  # the light lab (LIGHT=1) runs fewer services
    print(
        "\nActivity Lab is up. From this machine:" if present else "\nActivity Lab is not running (make up). Its URLs:"
    )
    for s in SERVICES:
        if s.url and (s.name in present or not present):
            print(f"  {s.role:<48} {s.url}")
    print("Secrets (database passwords, admin token) are in .env.")
    return 0
