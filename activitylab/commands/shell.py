"""`lab shell [-- CMD...]`: a shell on the edge node, or one command there."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    p = sub.add_parser(
        "shell",
        help="a shell on the edge node (every client); `lab shell -- CMD` runs one command",
        description="Opens bash on the edge node, where hdfs, yarn, mapred, beeline, spark-submit, "
        "pyspark, pig, sqoop, mahout and kafka-topics are configured for the lab.",
    )
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..shell import shell

    return shell(args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd)
