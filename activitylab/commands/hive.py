"""`lab hive list` / `lab hive run NAME [BEELINE FLAGS...]`: the saved queries of hive/queries/."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser("hive", help="saved queries of hive/queries/: list, run NAME")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="the saved queries' names").set_defaults(func=list_queries)
    a = actions.add_parser(
        "run",
        help="run a saved query with beeline",
        description="Runs hive/queries/NAME.sql on HiveServer2; flags after NAME go to beeline.",
    )
    a.add_argument("name", metavar="NAME", help="a saved query (file name without .sql)")
    a.add_argument("beeline_args", nargs=argparse.REMAINDER, help="more beeline flags, e.g. --outputformat=csv2")
    a.set_defaults(func=run)


def list_queries(_args) -> int:
    from ..hive import saved_queries

    print("\n".join(saved_queries()))
    return 0


def run(args) -> int:
    from ..hive import run_saved

    return run_saved(args.name, args.beeline_args)
