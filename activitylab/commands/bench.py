"""`lab bench startup|idle|replay|speed|batch`: the lab measured, written to docs/benchmarks.md."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("bench", help="measure the lab")
    what = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    b = what.add_parser("startup", help="time from `make up` to all healthy, and memory per service")
    b.add_argument("--skip-up", action="store_true", help="measure memory only, of the running lab")
    b.add_argument("--light", action="store_true", help="the light lab (make up LIGHT=1), without the batch engines")
    b.set_defaults(func=startup)
    b = what.add_parser(
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
    b.set_defaults(func=idle)
    b = what.add_parser("replay", help="lines per second of lab replay, file to HDFS through Flume")
    b.add_argument("--lines", type=int, default=200_000)
    b.set_defaults(func=replay)
    b = what.add_parser("speed", help="event -> HBase counter latency of the speed layer (p50/p95/p99/max)")
    b.add_argument("--samples", type=int, default=200, help="latency samples (default 200)")
    b.add_argument(
        "--events",
        type=int,
        default=20000,
        help="backlog size of the throughput run (0: latency only, the users browsing throughout)",
    )
    b.set_defaults(func=speed)
    b = what.add_parser("batch", help="the daily DAG over a generated day: time per task, peak memory")
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
    b.set_defaults(func=batch)


def startup(args) -> int:
    from ..bench import bench_startup

    return bench_startup(skip_up=args.skip_up, light=args.light)


def idle(args) -> int:
    from ..bench_idle import bench_idle

    return bench_idle(seconds=args.seconds, settle=args.settle, json_out=args.json, note=args.note, before=args.before)


def replay(args) -> int:
    from ..bench import bench_replay

    return bench_replay(lines=args.lines)


def speed(args) -> int:
    from ..bench_speed import bench_speed

    return bench_speed(samples=args.samples, events=args.events)


def batch(args) -> int:
    from ..bench_batch import bench_batch

    return bench_batch(args.events or [100_000, 1_000_000], direct_above=args.direct_above)
