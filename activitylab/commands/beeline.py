"""`lab beeline [BEELINE FLAGS...]`: beeline on HiveServer2, database activity. cli.py hands everything after
`beeline` to beeline itself (argparse would take `--silent=true` and `-e` as its own); this parser gives the help."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "beeline",
        help="beeline on HiveServer2 (database activity); -e/-f and other flags pass through",
        description="Interactive when run in a terminal without -e/-f. -f reads a file of this "
        "machine. Example: lab beeline -e 'SHOW TABLES'",
    )
    p.add_argument("beeline_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..hive import beeline

    return beeline(args.beeline_args)
