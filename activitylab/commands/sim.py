"""`lab sim status|pause|resume|speed X|users N [--app APP]...`: the simulated users, through each site's admin API."""

from __future__ import annotations

from activity_contract import names


def register(sub) -> None:
    p = sub.add_parser(
        "sim",
        help="the simulated users: status, pause, resume, speed X, users N",
        description="Controls the simulated users through each site's /admin/simulation "
        "(token from .env). Without --app: all three sites.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text in (
        ("status", "each site's simulation: paused or running, speed, users, requests, errors"),
        ("pause", "the users stop browsing (the sites keep serving)"),
        ("resume", "the users browse again"),
        ("speed", f"the users' pace, {names.SIM_SPEED_MIN:g} to {names.SIM_SPEED_MAX:g} times the normal one"),
        ("users", "how many users browse each site"),
    ):
        a = actions.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
        if name == "speed":
            a.add_argument("value", type=float, metavar="X", help="e.g. 2 (twice as fast)")
        elif name == "users":
            a.add_argument("value", type=int, metavar="N", help="e.g. 5")
        a.add_argument(
            "--app",
            dest="apps",
            action="append",
            choices=list(names.APPS),
            default=[],
            help="one site (repeatable); default all three",
        )
        a.set_defaults(func=run)


def run(args) -> int:
    from ..simctl import sim

    return sim(args.action, getattr(args, "value", None), args.apps)
