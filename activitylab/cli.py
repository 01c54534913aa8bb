"""The `lab` command: one subcommand per module of activitylab/commands/, each with its own help and flags.
Usage errors and failures go to stderr (exit 2 and 1); the conventions are in commands/conventions.py."""

from __future__ import annotations

import argparse
import sys

from .commands import COMMANDS


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="lab", description="Activity Lab command line")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["beeline"] and not {"-h", "--help"} & set(argv[1:2]):
        # Everything after `beeline` is beeline's (argparse would take `--silent=true` and `-e` as its own).
        from .hive import beeline

        return beeline(argv[1:])
    if argv[:2] == ["hive", "run"] and len(argv) > 2 and argv[2] not in ("-h", "--help"):
        from .hive import run_saved

        return run_saved(argv[2], argv[3:])
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
