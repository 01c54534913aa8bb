"""The `lab` commands, one module each: `register(sub)` adds the command (its own help and only its own flags) and
the function that runs it. cli.py assembles them; conventions.py holds what they share (--wait/--no-wait,
--timeout, errors on stderr)."""

from . import (
    airflow,
    backfill,
    batch,
    beeline,
    bench,
    hive,
    replay,
    shell,
    sim,
    smoke,
    status,
    storm,
    trace,
    up,
    urls,
    wait,
)

# in the order `lab --help` lists them
COMMANDS = [
    up,
    wait,
    urls,
    status,
    smoke,
    sim,
    storm,
    trace,
    beeline,
    hive,
    shell,
    airflow,
    batch,
    replay,
    backfill,
    bench,
]
