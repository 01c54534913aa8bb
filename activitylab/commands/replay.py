"""`lab replay --app APP FILE`: a web server access log streamed through Flume into HDFS."""

from __future__ import annotations

from pathlib import Path

from activity_contract import names

from ..clf import FORMATS
from .conventions import FAILED, add_timeout, fail


def register(sub) -> None:
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
    add_timeout(p, "Flume to ship it", 300, "--wait-timeout")
    p.add_argument("file")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..replay import replay

    source = Path(args.file)
    if not source.is_file():
        return fail("replay", f"no such file: {source}")
    if args.speed is not None and args.speed <= 0:
        return fail("replay", "--speed must be above 0 (e.g. 3600 = one hour of log per second)")
    try:
        report = replay(
            args.app,
            args.format,
            source,
            speed=args.speed,
            rejects=Path(args.rejects) if args.rejects else None,
            wait_timeout=args.timeout,
            force=args.force,
        )
    except RuntimeError as exc:
        return fail("replay", str(exc), FAILED)
    return 0 if report.replayed else FAILED
