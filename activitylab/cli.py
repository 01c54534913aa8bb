"""The `lab` command: up, status, wait, urls, smoke, sim, storm, beeline, hive, shell, airflow, batch, replay, backfill, bench."""

import argparse
import os
import sys
from datetime import UTC

from activity_contract import names

from .clf import FORMATS


def cmd_wait(args):
    from .wait import wait

    return wait(timeout=args.timeout)


def cmd_up(args):
    from .up import up

    rc = up(args.services, timeout=args.timeout)
    return rc if rc else cmd_urls(args)


def cmd_urls(_args):
    from .compose import containers
    from .services import SERVICES

    present = {c.service for c in containers()}  # the light lab (LIGHT=1) runs fewer services
    print(
        "\nActivity Lab is up. From this machine:" if present else "\nActivity Lab is not running (make up). Its URLs:"
    )
    for s in SERVICES:
        if s.url and (s.name in present or not present):
            print(f"  {s.role:<48} {s.url}")
    print("Secrets (database passwords, admin token) are in .env.")
    return 0


def cmd_status(args):
    from .status import status

    return status(storm=not args.no_storm)


def cmd_smoke(_args):
    from .smoke import smoke

    return smoke()


def cmd_bench(args):
    from .bench import bench_replay, bench_startup

    if args.what == "batch":
        from .bench_batch import bench_batch

        return bench_batch(args.events or [100_000, 1_000_000], direct_above=args.direct_above)
    if args.what == "speed":
        from .bench_speed import bench_speed

        return bench_speed(samples=args.samples, events=args.events)
    if args.what == "replay":
        return bench_replay(lines=args.lines)
    if args.what == "idle":
        from .bench_idle import bench_idle

        return bench_idle(
            seconds=args.seconds, settle=args.settle, json_out=args.json, note=args.note, before=args.before
        )
    return bench_startup(skip_up=args.skip_up, light=args.light)


def cmd_storm(args):
    from . import storm

    if args.action == "deploy":
        return storm.deploy(force=args.force)
    if args.action == "kill":
        return storm.kill()
    return storm.status()


def cmd_beeline(args):
    from .hive import beeline

    return beeline(args.beeline_args)


def cmd_hive(args):
    from .hive import run_saved, saved_queries

    if args.action == "list":
        print("\n".join(saved_queries()))
        return 0
    return run_saved(args.name, args.beeline_args)


def cmd_shell(args):
    from .shell import shell

    return shell(args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd)


def cmd_airflow(args):
    from . import airflow

    try:
        if args.action == "status":
            return airflow.status()
        if not args.dag:
            print("lab airflow trigger: name a DAG, e.g. `lab airflow trigger lab_smoke --wait`")
            return 2
        return airflow.trigger(args.dag, wait=args.wait, timeout=args.timeout)
    except (RuntimeError, OSError) as exc:  # refused password, API error, api-server down
        print(f"lab airflow: {exc}")
        return 1


def past_day(text: str, option: str, command: str):
    """The UTC day of YYYY-MM-DD text that is over; else ValueError with the message for the user."""
    from datetime import datetime

    from activity_contract.days import parse_day

    try:
        day = datetime.combine(parse_day(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise ValueError(f"lab batch {command}: {option} must be YYYY-MM-DD, not {text!r}") from None
    if day.date() >= datetime.now(UTC).date():
        # Airflow keeps one run per logical date: a run now would also stand in for the nightly run of that day.
        raise ValueError(
            f"lab batch {command}: {text} (UTC) is not over yet; the DAG runs it by itself after "
            "midnight UTC. For a look at the day so far: lab shell -- spark-submit "
            f"/opt/lab/spark_jobs/daily_etl.py --date {text}"
        )
    return day


def cmd_batch(args):
    from . import airflow

    try:
        if args.action == "run":
            day = past_day(args.date, "--date", "run")
        else:
            first, last = past_day(args.first, "--from", "backfill"), past_day(args.last, "--to", "backfill")
            if first > last:
                raise ValueError(f"lab batch backfill: --from {args.first} is after --to {args.last}")
    except ValueError as exc:
        print(exc)
        return 2
    try:
        if args.action == "run":
            return airflow.trigger(airflow.DAILY_BATCH, wait=not args.no_wait, timeout=args.timeout, logical_date=day)
        return airflow.backfill(
            airflow.DAILY_BATCH, first, last, args.reprocess, wait=not args.no_wait, timeout=args.timeout
        )
    except (RuntimeError, OSError) as exc:
        print(f"lab batch: {exc}")
        return 1


def cmd_sim(args):
    from .simctl import sim

    if args.action in ("speed", "users") and args.value is None:
        print(f"lab sim {args.action}: give a value, e.g. `lab sim {args.action} {2 if args.action == 'speed' else 5}`")
        return 2
    return sim(args.action, args.value, args.apps)


def cmd_replay(args):
    from pathlib import Path

    from .replay import replay

    source = Path(args.file)
    if not source.is_file():
        print(f"lab replay: no such file: {source}")
        return 2
    if args.speed is not None and args.speed <= 0:
        print("lab replay: --speed must be above 0 (e.g. 3600 = one hour of log per second)")
        return 2
    try:
        report = replay(
            args.app,
            args.format,
            source,
            speed=args.speed,
            rejects=Path(args.rejects) if args.rejects else None,
            wait_timeout=args.wait_timeout,
            force=args.force,
        )
    except RuntimeError as exc:
        print(f"lab replay: {exc}")
        return 1
    return 0 if report.replayed else 1


def cmd_backfill(args):
    from datetime import datetime, timedelta
    from pathlib import Path

    from .backfill import backfill, make_samples, shape_of

    if args.make_samples:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        try:
            start = (
                datetime.strptime(args.start, "%Y-%m-%d").replace(tzinfo=UTC)
                if args.start
                else today - timedelta(days=args.days)
            )
        except ValueError:
            print(f"lab backfill: --start {args.start!r} is not YYYY-MM-DD")
            return 2
        print(
            f"lab backfill: sample files in {args.make_samples} ({args.days} days from {start:%Y-%m-%d}, seed {args.seed})"
        )
        made = make_samples(Path(args.make_samples), start, args.days, args.seed)
        print("load them with: lab backfill " + " ".join(str(p) for p, _ in made.values()))
        return 0
    if not args.files:
        print("lab backfill: give files to load (.csv, .jsonl, .parquet), or --make-samples DIR")
        return 2
    paths = [Path(f) for f in args.files]
    for path in paths:
        if not path.is_file():
            print(f"lab backfill: no such file: {path}")
            return 2
        try:
            shape_of(path)
        except ValueError as exc:
            print(f"lab backfill: {exc}")
            return 2
    try:
        reports = backfill(paths, dry_run=args.dry_run)
    except Exception as exc:  # Kafka unreachable, unreadable file: say which, never a bare traceback
        print(f"lab backfill: {type(exc).__name__}: {exc}")
        return 1
    return 0 if all(r.sent for r in reports) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="lab", description="Activity Lab command line")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "up",
        help="docker compose up -d, saying what it waits for; then wait and urls (make up)",
        description="Starts the lab (or the SERVICEs) with docker compose up -d, at least as many "
        "DataNodes as hold data; says what it waits for when quiet for a minute (the "
        "NameNode's safe-mode reason included), gives up after --timeout seconds.",
    )
    p.add_argument("services", nargs="*", metavar="SERVICE")
    p.add_argument("--timeout", type=float, default=900, help="seconds until every service is healthy (default 900)")
    p.set_defaults(func=cmd_up)
    p = sub.add_parser("wait", help="wait until every service is healthy")
    p.add_argument("--timeout", type=int, default=int(os.environ.get("LAB_WAIT_TIMEOUT", "900")))
    p.set_defaults(func=cmd_wait)
    sub.add_parser("urls", help="print what to open from this machine").set_defaults(func=cmd_urls)
    p = sub.add_parser("status", help="every service with its health and URL, Storm from Nimbus")
    p.add_argument("--no-storm", action="store_true", help="skip the Nimbus query")
    p.set_defaults(func=cmd_status)
    sub.add_parser("smoke", help="one real check per component, human-readable").set_defaults(func=cmd_smoke)
    p = sub.add_parser(
        "sim",
        help="the simulated users: status, pause, resume, speed X, users N",
        description="Controls the simulated users through each site's /admin/simulation "
        "(token from .env). Without site names: all three sites.",
    )
    p.add_argument("action", choices=["status", "pause", "resume", "speed", "users"])
    p.add_argument("value", nargs="?", type=float, help="speed factor (0.1 to 20) or number of users")
    p.add_argument(
        "--app",
        dest="apps",
        action="append",
        choices=list(names.APPS),
        default=[],
        help="one site (repeatable); default all three",
    )
    p.set_defaults(func=cmd_sim)
    p = sub.add_parser(
        "storm",
        help="the speed layer topology: deploy, kill, status",
        description="deploy: submit it when absent or when its code or settings changed (--force: "
        "always); kill: remove it; status: workers, uptime, tuples, latency from Nimbus.",
    )
    p.add_argument("action", choices=["deploy", "kill", "status"])
    p.add_argument("--force", action="store_true", help="deploy: replace it even when unchanged")
    p.set_defaults(func=cmd_storm)
    p = sub.add_parser(
        "beeline",
        help="beeline on HiveServer2 (database activity); -e/-f and other flags pass through",
        description="Interactive when run in a terminal without -e/-f. -f reads a file of this "
        "machine. Example: lab beeline -e 'SHOW TABLES'",
    )
    p.add_argument("beeline_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_beeline)
    p = sub.add_parser("hive", help="saved queries of hive/queries/: list, run NAME")
    p.add_argument("action", choices=["list", "run"])
    p.add_argument("name", nargs="?", help="a saved query (file name without .sql)")
    p.add_argument("beeline_args", nargs=argparse.REMAINDER, help="more beeline flags, e.g. --outputformat=csv2")
    p.set_defaults(func=cmd_hive)
    p = sub.add_parser(
        "shell",
        help="a shell on the edge node (every client); `lab shell -- CMD` runs one command",
        description="Opens bash on the edge node, where hdfs, yarn, mapred, beeline, spark-submit, "
        "pyspark, pig, sqoop, mahout and kafka-topics are configured for the lab.",
    )
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_shell)
    p = sub.add_parser("airflow", help="Airflow through its REST API: status, trigger DAG [--wait]")
    p.add_argument("action", choices=["status", "trigger"])
    p.add_argument("dag", nargs="?", help="trigger: the DAG id (lab_smoke, ...)")
    p.add_argument("--wait", action="store_true", help="trigger: wait for the run, printing each task's state")
    p.add_argument("--timeout", type=float, default=1800, help="seconds to wait with --wait")
    p.set_defaults(func=cmd_airflow)
    p = sub.add_parser(
        "batch",
        help="the daily batch DAG: run --date D, backfill --from A --to B",
        description="The DAG activity_daily_batch through Airflow's REST API, following each task; "
        "a failed task's log ends the output. Running a day again replaces its "
        "partitions; a day without data skips its tasks.",
    )
    bsub = p.add_subparsers(dest="action", required=True)
    b = bsub.add_parser(
        "run",
        help="one day: a new run, or that day's run cleared to run again",
        description="Triggers the DAG for the day (its logical date), or clears that day's run.",
    )
    b.add_argument("--date", required=True, help="the day, YYYY-MM-DD (UTC)")
    b = bsub.add_parser(
        "backfill",
        help="Airflow's own backfill of the days --from A --to B, one at a time",
        description="Creates an Airflow backfill (POST /api/v2/backfills) of the logical dates A "
        "to B, oldest first, one run at a time. Days that have a run are kept unless "
        "--reprocess says otherwise.",
    )
    b.add_argument("--from", dest="first", required=True, metavar="A", help="the first day, YYYY-MM-DD (UTC)")
    b.add_argument("--to", dest="last", required=True, metavar="B", help="the last day, YYYY-MM-DD (UTC)")
    b.add_argument(
        "--reprocess",
        choices=("none", "failed", "completed"),
        default="none",
        help="days that have a run: none (keep them, the default), failed (run the failed ones "
        "again), completed (run every one again)",
    )
    for b in bsub.choices.values():
        b.add_argument("--no-wait", action="store_true", help="start only")
        b.add_argument("--timeout", type=float, default=7200, help="seconds to wait for the runs")
    p.set_defaults(func=cmd_batch)
    p = sub.add_parser(
        "replay",
        help="stream a web server access log through Flume into HDFS",
        description="Appends the file's parseable lines to a new access log of the site; Flume "
        "ships them to HDFS /logs/APP/access/dt=<each line's UTC date>/. Unparseable "
        "lines are counted and reported, never sent. Plain or .gz files. A file is "
        "replayed once per site (a ledger in HDFS /logs/_replays). Formats: "
        "docs/access-log-formats.md.",
    )
    p.add_argument("--app", required=True, choices=list(names.APPS))
    p.add_argument(
        "--format",
        default="auto",
        choices=["auto", *FORMATS],
        help="log format (default auto: detected from the first lines; combined and vcombined "
        "accept extra fields after the user agent)",
    )
    p.add_argument("--force", action="store_true", help="replay a file even if it was replayed before")
    p.add_argument("--speed", type=float, help="replay at SPEED times the log's own pace (default: at once)")
    p.add_argument("--rejects", metavar="FILE", help="write every unparseable line to FILE")
    p.add_argument("--wait-timeout", type=float, default=300, help="seconds to wait for Flume to ship it")
    p.add_argument("file")
    p.set_defaults(func=cmd_replay)
    p = sub.add_parser(
        "backfill",
        help="load historical event files (CSV/JSONL/Parquet) into user-activity",
        description="Normalizes each file into schema v1 (docs/backfill.md) and sends the valid "
        "events to user-activity, the rejected ones to user-activity-dlq. The shape "
        "comes from the extension: .csv shop, .jsonl news, .parquet learn.",
    )
    p.add_argument("files", nargs="*")
    p.add_argument("--dry-run", action="store_true", help="read, normalize and validate only")
    p.add_argument("--make-samples", metavar="DIR", help="write one sample file per shape into DIR, then stop")
    p.add_argument("--start", help="first day of the samples, YYYY-MM-DD (default: --days before today)")
    p.add_argument("--days", type=int, default=3, help="days of activity in the samples")
    p.add_argument("--seed", type=int, default=1, help="same seed, same samples")
    p.set_defaults(func=cmd_backfill)
    p = sub.add_parser("bench", help="measure the lab")
    bsub = p.add_subparsers(dest="what", required=True)
    b = bsub.add_parser("startup", help="time from `make up` to all healthy, and memory per service")
    b.add_argument("--skip-up", action="store_true", help="measure memory only, of the running lab")
    b.add_argument("--light", action="store_true", help="the light lab (make up LIGHT=1), without the batch engines")
    b.set_defaults(func=cmd_bench)
    b = bsub.add_parser(
        "idle",
        help="each container's CPU at rest (users browsing, then paused) and memory",
        description="Each running container's CPU time from its cgroup over --seconds with the "
        "simulated users browsing at speed 1, then paused (their settings restored "
        "after), its memory (RSS and as docker stats shows it), and the host's busy "
        "cores; sorted, summed, prepended to docs/benchmarks.md.",
    )
    b.add_argument("--seconds", type=float, default=60, help="length of each measured window (default 60)")
    b.add_argument("--settle", type=float, default=20, help="seconds to wait after changing the users (default 20)")
    b.add_argument("--json", metavar="FILE", help="also write the figures to FILE (to compare two runs)")
    b.add_argument("--note", default="", help="a line written under the heading (what changed)")
    b.add_argument("--before", metavar="FILE", help="an earlier run's --json: adds a before -> after table")
    b.set_defaults(func=cmd_bench)
    b = bsub.add_parser("replay", help="lines per second of lab replay, file to HDFS through Flume")
    b.add_argument("--lines", type=int, default=200_000)
    b.set_defaults(func=cmd_bench)
    b = bsub.add_parser("speed", help="event -> HBase counter latency of the speed layer (p50/p95/p99/max)")
    b.add_argument("--samples", type=int, default=200, help="latency samples (default 200)")
    b.add_argument(
        "--events",
        type=int,
        default=20000,
        help="backlog size of the throughput run (0: latency only, the users browsing throughout)",
    )
    b.set_defaults(func=cmd_bench)
    b = bsub.add_parser("batch", help="the daily DAG over a generated day: time per task, peak memory")
    b.add_argument(
        "--events",
        type=int,
        action="append",
        help="events of the generated day; repeat for several runs (default: 100000, then 1000000)",
    )
    b.add_argument(
        "--direct-above",
        type=int,
        default=100_000,
        help="a day of more events is written straight into the archive, not sent through Kafka",
    )
    b.set_defaults(func=cmd_bench)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["beeline"] and not {"-h", "--help"} & set(argv[1:2]):
        # Everything after `beeline` is beeline's (argparse would take `--silent=true` and `-e` as its own).
        from .hive import beeline

        return beeline(argv[1:])
    if argv[:2] == ["hive", "run"] and len(argv) > 2:
        from .hive import run_saved

        return run_saved(argv[2], argv[3:])
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
